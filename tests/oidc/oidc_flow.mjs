// Sign-in through a real OpenID provider (tests/oidc/provider.mjs, the
// certified oidc-provider), driven as a browser drives it: every redirect
// followed by hand, with a cookie jar per site. Run by run_oidc.sh.
//
//   node oidc_flow.mjs NODE_URL PROVIDER_URL AUDIT_TOKEN LOCAL_USER LOCAL_PASSWORD
import assert from 'node:assert/strict';

const [nodeUrl, idpUrl, auditToken, localUser, localPassword] = process.argv.slice(2);

class Jar {
  constructor() { this.cookies = new Map(); }
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (/max-age=0\b/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

// One browser: a jar for the node, one for the provider.
function browser() { return { node: new Jar(), idp: new Jar() }; }

async function get(b, url, extra = {}) {
  const jar = url.startsWith(nodeUrl) ? b.node : b.idp;
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(), ...extra } });
  jar.take(res);
  return res;
}

// Starts a sign-in and follows it to the node's callback; `callback` decides
// whether that last request is made (false: its URL is returned unused).
async function signIn(b, account, { tamper = '', callback = true } = {}) {
  const next = await fetch(`${idpUrl}/test/next?account=${account}&tamper=${tamper}`);
  assert.equal(next.status, 204);
  let res = await get(b, `${nodeUrl}/api/v1/session/oidc`);
  assert.equal(res.status, 302, 'the node sends the browser to the provider');
  assert.ok(b.node.cookies.has('sn_oidc'), 'the sign-in is bound to this browser');
  let url = res.headers.get('location');
  const auth = new URL(url);
  assert.equal(auth.origin, idpUrl);
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  assert.match(auth.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(auth.searchParams.get('nonce') && auth.searchParams.get('state'));
  for (let hop = 0; hop < 20; hop += 1) {
    if (url.startsWith(`${nodeUrl}/api/v1/session/oidc/callback`)) {
      if (!callback) return { callbackUrl: url };
      res = await get(b, url);
      return { callbackUrl: url, res };
    }
    res = await get(b, url);
    assert.ok(res.status >= 300 && res.status < 400, `the provider answered ${res.status} at ${url}: ${await res.text()}`);
    url = new URL(res.headers.get('location'), url).toString();
  }
  throw new Error('no callback after 20 redirects');
}

async function me(b) {
  const res = await fetch(`${nodeUrl}/api/v1/session`, { headers: { cookie: b.node.header() } });
  return { status: res.status, body: res.status === 200 ? await res.json() : null };
}

// A refusal: back to the log-in page with the reason the page explains, no session.
async function refused(b, res, word, what) {
  assert.equal(res.status, 303, `${what}: refused with a redirect to the log-in page`);
  assert.equal(res.headers.get('location'), `/?aanmelding=${word}`, what);
  assert.ok(!b.node.cookies.has('sn_session'), `${what}: no session cookie`);
  assert.equal((await me(b)).status, 401, `${what}: not logged in`);
}

// 1. A person of the enforcement team signs in: an account linked to the
// provider, the role and team from the groups, a normal session.
const anna = browser();
const first = await signIn(anna, 'anna');
assert.equal(first.res.status, 200);
assert.match(await first.res.text(), /http-equiv="refresh" content="0;url=\/"/);
assert.ok(anna.node.cookies.has('sn_session'));
const who = await me(anna);
assert.equal(who.status, 200);
assert.equal(who.body.username, 'anna.devries');
assert.equal(who.body.role, 'officer');
assert.equal(who.body.team, 'handhaving');
console.log('ok: anna.devries signed in through the provider as officer of team handhaving');

// 2. The same callback again (a replayed state and code): refused.
const replay = await get(anna, first.callbackUrl);
assert.equal(replay.status, 303);
assert.equal(replay.headers.get('location'), '/?aanmelding=verlopen');
console.log('ok: a replayed callback is refused');

// 3. A replayed code under a fresh state of another browser: the provider
// refuses the code, the node opens nothing.
const thief = browser();
const fresh = await signIn(thief, 'anna', { callback: false });
const stolen = new URL(fresh.callbackUrl);
stolen.searchParams.set('code', new URL(first.callbackUrl).searchParams.get('code'));
await refused(thief, await get(thief, stolen.toString()), 'geweigerd', 'replayed code');
console.log('ok: a replayed authorization code is refused');

// 4. The callback in a browser that did not start the sign-in: refused.
const starter = browser();
const started = await signIn(starter, 'anna', { callback: false });
const other = browser();
await refused(other, await get(other, started.callbackUrl), 'verlopen', 'another browser');
console.log('ok: a callback in another browser than the one that started is refused');

// 5. ID tokens that are wrong in one way each.
for (const tamper of ['wrong-issuer', 'wrong-audience', 'wrong-nonce', 'bad-signature', 'alg-none', 'hmac-confusion',
  'expired']) {
  const b = browser();
  const { res } = await signIn(b, 'anna', { tamper });
  await refused(b, res, 'geweigerd', tamper);
  console.log(`ok: an ID token with ${tamper} is refused`);
}

// A key the node has not seen: refused while the provider does not list it;
// once the provider rolls over to it, the node fetches the key set again
// and the sign-in goes through.
const unknownKey = browser();
await refused(unknownKey, (await signIn(unknownKey, 'anna', { tamper: 'rolled-key' })).res, 'geweigerd', 'unknown key');
assert.equal((await fetch(`${idpUrl}/test/roll`)).status, 204);
await new Promise((resolve) => { setTimeout(resolve, 31_000); });  // the node refetches a key set at most every 30 s
const afterRoll = browser();
assert.equal((await signIn(afterRoll, 'anna', { tamper: 'rolled-key' })).res.status, 200);
assert.equal((await me(afterRoll)).body.username, 'anna.devries');
console.log('ok: a token under an unknown key is refused; after the provider rolls its keys, the node fetches them again');

// 6. Groups that map to no role: no account, no session.
const kees = browser();
await refused(kees, (await signIn(kees, 'kees')).res, 'geen-toegang', 'unmapped groups');
console.log('ok: a person whose groups map to no role is refused');

// 7. Another team, and an admin through the provider; logout ends the
// session here and sends the browser to the provider's end_session_endpoint.
const bram = browser();
await signIn(bram, 'bram');
assert.equal((await me(bram)).body.team, 'sociaal');
const ria = browser();
await signIn(ria, 'ria');
const riaMe = (await me(ria)).body;
assert.equal(riaMe.role, 'admin');
assert.equal(riaMe.mustEnrol, false, 'the provider proved who she is; no local factor is asked');
const out = await fetch(`${nodeUrl}/api/v1/session`, {
  method: 'DELETE', headers: { cookie: ria.node.header(), 'X-CSRF-Token': riaMe.csrfToken },
});
assert.equal(out.status, 200);
const endSession = new URL((await out.json()).endSessionUrl);
assert.equal(`${endSession.origin}${endSession.pathname}`, `${idpUrl}/session/end`);
assert.equal(endSession.searchParams.get('client_id'), 'signalnode');
assert.equal((await me(ria)).status, 401, 'the local session has ended');
const atProvider = await get(ria, endSession.toString());
assert.equal(atProvider.status, 200, 'the provider asks to end its session');
console.log('ok: logout ends the session and leads to the provider\'s end_session_endpoint');

// 8. Local accounts stay; an account of the provider has no password.
const local = await fetch(`${nodeUrl}/api/v1/session`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: localUser, password: localPassword }),
});
assert.equal(local.status, 200, 'a local account still logs in with its password');
const noPassword = await fetch(`${nodeUrl}/api/v1/session`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: 'anna.devries', password: '!oidc' }),
});
assert.equal(noPassword.status, 401, 'an account of the provider cannot log in with a password');
console.log('ok: local accounts log in as before; provider accounts have no password');

// 9. Every refusal is in the audit log, with why.
const events = await fetch(`${nodeUrl}/api/v1/audit/events?name=login.failed&limit=100`, {
  headers: { Authorization: `Bearer ${auditToken}` },
});
assert.equal(events.status, 200);
const log = JSON.stringify(await events.json());
for (const why of ['the state was used before (replay)', 'the token endpoint refused the code (HTTP 400, invalid_grant)',
  'the callback came to another browser than the one that started it', 'the ID token comes from another issuer',
  'the ID token is for another client (audience)', 'the ID token answers another log-in (nonce)',
  'the signature does not verify', 'the ID token algorithm none is not accepted',
  'the ID token algorithm HS256 is not accepted', 'the ID token has expired',
  'no key of the provider matches the ID token',
  "the person's groups and claims map to no role on this node"]) {
  assert.ok(log.includes(why), `audited: ${why}`);
}
console.log('ok: every refusal is audited with its reason');
console.log('oidc flow: ok');
