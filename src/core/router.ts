/**
 * Longest-prefix routing from a request path to a mounted backend. Lookups walk the path's
 * own '/' boundaries against a Map, so cost grows with path depth, not with mount count.
 */
import type { Backend, HandlerContext, MountInfo } from '../framework/backend.js';
import type { Storage } from '../logical/storage.js';
import type { MountEntry } from './mount-table.js';

export interface Route {
  /** `secret/`, `auth/userpass/`, `sys/`. */
  routedPath: string;
  entry: MountEntry;
  backend: Backend;
  info: MountInfo;
  /** The backend's storage view: `logical/<uuid>/` or `auth/<uuid>/`. */
  storage: Storage;
  /** The per-mount part of every handler context, built once with the route. */
  base: MountContext;
}

export type MountContext = Pick<HandlerContext, 'storage' | 'logger' | 'mount' | 'system' | 'clock' | 'random' | 'lockout' | 'passwords' | 'events' | 'identity'>;

export interface RouteMatch {
  route: Route;
  /** The path below the mount, trailing slash kept. */
  relPath: string;
}

export class Router {
  private readonly routes = new Map<string, Route>();

  add(route: Route): void {
    this.routes.set(route.routedPath, route);
  }

  remove(routedPath: string): void {
    this.routes.delete(routedPath);
  }

  get(routedPath: string): Route | undefined {
    return this.routes.get(routedPath);
  }

  all(): Route[] {
    return [...this.routes.values()];
  }

  clear(): void {
    this.routes.clear();
  }

  match(path: string): RouteMatch | null {
    // `kv` and `kv/metadata` arrive without a trailing slash from the Go client's cleaned
    // paths; the mount root itself must still route.
    const exact = this.routes.get(path.endsWith('/') ? path : path + '/');
    if (exact) return { route: exact, relPath: '' };
    for (let i = path.length - 1; i > 0; i--) {
      if (path.charCodeAt(i - 1) !== 47) continue;
      const route = this.routes.get(path.slice(0, i));
      if (route) return { route, relPath: path.slice(i) };
    }
    return null;
  }

  /** The mount that owns `path` or lies below it: used to refuse overlapping mounts. */
  conflicting(routedPath: string): Route | undefined {
    for (const [p, route] of this.routes) {
      if (p.startsWith(routedPath) || routedPath.startsWith(p)) return route;
    }
    return undefined;
  }
}
