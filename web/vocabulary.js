// The product's words — roles, user types, contact methods, a password's length — as the
// server's domain defines
// them, from /console/config.json: the console never keeps its own copy of a list.

import { context } from './app.js';

let cached;
export function vocabulary() {
  if (cached) return cached;
  const v = context.config.vocabulary;
  cached = {
    roles: v.roles,
    roleNames: new Map(v.roles.map((r) => [r.id, r.name])),
    userTypes: new Map(v.user_types.map((t) => [t.id, t.name])),
    methods: v.contact_methods,
    methodNames: new Map(v.contact_methods.map((m) => [m.id, m.name])),
    password: v.password,
  };
  return cached;
}
