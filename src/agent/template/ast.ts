/** The parse tree of a template: Go text/template's nodes, as plain data. */
import type { Position } from './errors.js';

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateCallNode | BreakNode | ContinueNode;

export interface TextNode { kind: 'text'; text: string; pos: Position }
export interface ActionNode { kind: 'action'; pipe: Pipe; pos: Position }
export interface IfNode { kind: 'if'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: Position }
export interface WithNode { kind: 'with'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: Position }
export interface RangeNode { kind: 'range'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: Position }
export interface TemplateCallNode { kind: 'template'; name: string; pipe?: Pipe; pos: Position }
export interface BreakNode { kind: 'break'; pos: Position }
export interface ContinueNode { kind: 'continue'; pos: Position }

/** `$a, $b := cmd | cmd` — `decl` empty when nothing is declared or assigned. */
export interface Pipe { decl: string[]; isAssign: boolean; cmds: Command[]; pos: Position }
export interface Command { args: Arg[]; pos: Position }

export type Arg =
  | { kind: 'field'; names: string[]; pos: Position }
  | { kind: 'variable'; name: string; names: string[]; pos: Position }
  | { kind: 'ident'; name: string; pos: Position }
  | { kind: 'dot'; pos: Position }
  | { kind: 'nil'; pos: Position }
  | { kind: 'bool'; value: boolean; pos: Position }
  | { kind: 'number'; value: number; isInt: boolean; text: string; pos: Position }
  | { kind: 'string'; value: string; pos: Position }
  | { kind: 'pipe'; pipe: Pipe; names: string[]; pos: Position };

export interface Tree {
  name: string;
  root: Node[];
  /** Templates named by `define` and `block`. */
  defines: Map<string, Node[]>;
}
