// Preloaded into Ghost (node --require): nothing leaves this machine.
// Ghost calls out by itself (webmentions for every link in a published post,
// oEmbed, Gravatar); here every non-loopback DNS lookup fails at once with
// ENOTFOUND and every non-loopback connect with ECONNREFUSED, inside the
// process. GHOST_LOOPBACK_GUARD=0 turns it off. (cms-servers.md G10)
'use strict';
if (process.env.GHOST_LOOPBACK_GUARD !== '0') {
  const dns = require('dns');
  const net = require('net');
  const loopback = (h) =>
    !h || h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) ||
    h === '::1' || h === '::ffff:127.0.0.1' || h === '0:0:0:0:0:0:0:1';
  const notFound = (h) => Object.assign(
    new Error(`getaddrinfo ENOTFOUND ${h} (beatdesk loopback guard)`),
    { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: h });
  const refused = (h) => Object.assign(
    new Error(`connect ECONNREFUSED ${h} (beatdesk loopback guard)`),
    { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: h });
  if (process.env.BEATDESK_GUARD_LOG) {
    const fs = require('fs');
    const note = (what) => fs.appendFileSync(process.env.BEATDESK_GUARD_LOG, what + '\n');
    module.exports.note = note;
  }
  const note = (what) => module.exports.note && module.exports.note(what);

  const lookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, options, callback) {
    if (typeof options === 'function') { callback = options; options = {}; }
    if (!loopback(hostname)) {
      note(`blocked lookup ${hostname}`);
      process.nextTick(callback, notFound(hostname));
      return {};
    }
    return lookup.call(this, hostname, options, callback);
  };
  const promiseLookup = dns.promises.lookup;
  dns.promises.lookup = function guardedPromiseLookup(hostname, options) {
    if (!loopback(hostname)) {
      note(`blocked lookup ${hostname}`);
      return Promise.reject(notFound(hostname));
    }
    return promiseLookup.call(this, hostname, options);
  };
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    let opts = args[0];
    if (Array.isArray(opts)) opts = opts[0];
    let host;
    if (opts && typeof opts === 'object') {
      if (opts.path) return connect.apply(this, args);
      host = opts.host;
    } else if (typeof opts === 'number' || (typeof opts === 'string' && /^\d+$/.test(opts))) {
      host = typeof args[1] === 'string' ? args[1] : undefined;
    }
    if (host && net.isIP(host) && !loopback(host)) {
      note(`blocked connect ${host}`);
      const err = refused(host);
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return connect.apply(this, args);
  };
}
