/**
 * The stanzas the template runner and the process supervisor take: `template`,
 * `env_template "NAME"`, `template_config` and `exec`, read into TemplateSpec,
 * EnvTemplateSpec, TemplateConfig and ExecConfig.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Stanza } from './reader.js';
import { DEFAULT_STATIC_SECRET_RENDER_INTERVAL_MS, type EnvTemplateSpec, type ExecConfig, type TemplateConfig, type TemplateSpec } from './types.js';

export function parseTemplate(t: Stanza): TemplateSpec {
  const spec: TemplateSpec = {};
  const source = t.str('source');
  const contents = t.str('contents');
  if (source !== undefined && contents !== undefined) t.fail('takes either source or contents, not both');
  if (source === undefined && contents === undefined) t.fail('needs source (a template file) or contents');
  if (source !== undefined) spec.source = source;
  if (contents !== undefined) spec.contents = contents;
  spec.destination = t.requiredStr('destination');
  const perms = t.mode('perms');
  if (perms !== undefined) spec.perms = perms;
  const command = t.raw('command');
  if (command !== undefined) {
    if (typeof command === 'string') spec.command = command;
    else if (Array.isArray(command) && command.length > 0 && command.every((x) => typeof x === 'string')) spec.command = command as string[];
    else t.fail('must be a string or a non-empty list of strings', 'command');
  }
  const timeout = t.durationSeconds('command_timeout');
  if (timeout !== undefined) spec.commandTimeoutMs = timeout * 1000;
  // Vault 1.15's form: exec { command = [...], timeout = "30s" }.
  const exec = t.object('exec');
  if (exec) {
    if (spec.command !== undefined) exec.fail('a template takes command or exec { command }, not both');
    const argv = exec.strings('command');
    if (!argv?.length) exec.fail('is required', 'command');
    spec.command = argv!;
    const execTimeout = exec.durationSeconds('timeout');
    if (execTimeout !== undefined) spec.commandTimeoutMs = execTimeout * 1000;
    exec.done();
  }
  const missing = t.bool('error_on_missing_key');
  if (missing !== undefined) spec.errorOnMissingKey = missing;
  const left = t.str('left_delimiter');
  const right = t.str('right_delimiter');
  if (left) spec.leftDelimiter = left;
  if (right) spec.rightDelimiter = right;
  t.done();
  return spec;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvTemplate(name: string, t: Stanza): EnvTemplateSpec {
  if (!ENV_NAME.test(name)) t.fail(`"${name}" is not a valid environment variable name`);
  for (const key of ['destination', 'command', 'perms', 'exec']) {
    if (t.has(key)) t.fail('is not allowed in an env_template (its value goes into the environment of the exec command)', key);
  }
  for (const key of ['left_delimiter', 'right_delimiter']) {
    if (t.has(key)) t.fail('is not supported in an env_template yet', key);
  }
  const source = t.str('source');
  const inline = t.str('contents');
  if (source !== undefined && inline !== undefined) t.fail('takes either source or contents, not both');
  let contents = inline;
  if (source !== undefined) {
    try {
      contents = readFileSync(source, 'utf8');
    } catch (err) {
      t.fail(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'source');
    }
  }
  if (contents === undefined) t.fail('needs contents (or source, a template file)');
  const spec: EnvTemplateSpec = { name, contents: contents! };
  const missing = t.bool('error_on_missing_key');
  if (missing !== undefined) spec.errorOnMissingKey = missing;
  t.done();
  return spec;
}

export function parseTemplateConfig(t: Stanza | undefined): TemplateConfig {
  const config: TemplateConfig = { staticSecretRenderIntervalMs: DEFAULT_STATIC_SECRET_RENDER_INTERVAL_MS, exitOnRetryFailure: false };
  if (!t) return config;
  const interval = t.durationSeconds('static_secret_render_interval');
  if (interval !== undefined) {
    if (interval < 1) t.fail('must be at least 1s', 'static_secret_render_interval');
    config.staticSecretRenderIntervalMs = interval * 1000;
  }
  config.exitOnRetryFailure = t.bool('exit_on_retry_failure') ?? false;
  t.done();
  return config;
}

export function parseExec(e: Stanza): ExecConfig {
  const command = e.raw('command');
  if (!Array.isArray(command) || command.length === 0 || !command.every((x) => typeof x === 'string' && x !== '')) {
    e.fail('must be a non-empty list of strings, e.g. ["./app", "--flag"]', 'command');
  }
  const restart = e.str('restart_on_secret_changes') ?? 'always';
  if (restart !== 'always' && restart !== 'never') e.fail('must be "always" or "never"', 'restart_on_secret_changes');
  const signal = (e.str('restart_stop_signal') ?? 'SIGTERM').toUpperCase();
  const name = signal.startsWith('SIG') ? signal : `SIG${signal}`;
  if (!(name in constants.signals)) e.fail(`"${signal}" is not a signal name`, 'restart_stop_signal');
  e.done();
  return { command: command as string[], restartOnSecretChanges: restart as 'always' | 'never', restartStopSignal: name as NodeJS.Signals };
}
