// A real OpenID provider for the node's sign-in tests: the certified
// `oidc-provider` package (pinned in package.json), over HTTPS with a
// certificate of a test CA that the node is told to trust (auth.oidc.caFile).
//
//   node provider.mjs PORT CERT KEY CLIENT_SECRET_FILE REDIRECT_URI POST_LOGOUT_URI
//
// The issuer is https://127.0.0.1:PORT. People sign in without a form: the
// test says who comes next (GET /test/next?account=anna), and the interaction
// finishes with that account and its consent. To test the node's refusals,
// the test may also ask that the next token response carries an ID token
// that is wrong in one way (GET /test/next?account=anna&tamper=wrong-nonce);
// it is re-signed here, with the provider's own key where the fault is in the
// claims, so that only the fault under test is wrong.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import Provider from 'oidc-provider';

const [port, certFile, keyFile, secretFile, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `https://127.0.0.1:${port}`;
const clientSecret = fs.readFileSync(secretFile, 'utf8').trim();

// The people of the test organisation and their groups.
const accounts = {
  anna: { name: 'Anna de Vries', preferred_username: 'anna.devries', groups: ['signalnode-handhaving'] },
  bram: { name: 'Bram Jansen', preferred_username: 'bram.jansen', groups: ['signalnode-sociaal'] },
  kees: { name: 'Kees Bakker', preferred_username: 'kees.bakker', groups: ['kantine', 'fietsclub'] },
  ria: { name: 'Ria Smit', preferred_username: 'ria.smit', groups: ['signalnode-beheer'] },
};

const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'sn-test-1';
const jwk = { ...signing.privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
// A key the provider rolls over to when the test says so (GET /test/roll):
// then its key set lists both, and tokens are signed with the new one.
const rolled = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rolledKid = 'sn-test-2';
let rolledOver = false;

let next = { account: 'anna', tamper: '' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'signalnode',
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = accounts[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
});

const b64u = (b) => Buffer.from(b).toString('base64url');
const sign = (input, key) => b64u(crypto.sign('sha256', Buffer.from(input), key));

// An ID token with one thing wrong.
function tamper(idToken, how) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  if (how === 'wrong-issuer') claims.iss = 'https://idp.elders.example';
  if (how === 'wrong-audience') claims.aud = 'another-client';
  if (how === 'wrong-nonce') claims.nonce = crypto.randomBytes(16).toString('hex');
  if (how === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  const encode = (hdr) => `${b64u(JSON.stringify(hdr))}.${b64u(JSON.stringify(claims))}`;
  switch (how) {
    case 'alg-none': {
      return `${encode({ alg: 'none', typ: 'JWT' })}.`;
    }
    case 'hmac-confusion': {
      // The classic: HS256 with the provider's public key as the HMAC secret.
      const input = encode({ alg: 'HS256', typ: 'JWT', kid });
      const secret = signing.publicKey.export({ type: 'spki', format: 'pem' });
      return `${input}.${b64u(crypto.createHmac('sha256', secret).update(input).digest())}`;
    }
    case 'rolled-key': {
      const input = encode({ ...header, kid: rolledKid });
      return `${input}.${sign(input, rolled.privateKey)}`;
    }
    case 'bad-signature': {
      const input = encode({ ...header });
      return `${input}.${sign(input, stranger.privateKey)}`;
    }
    default: {
      const input = encode({ ...header });
      return `${input}.${sign(input, signing.privateKey)}`;
    }
  }
}

provider.use(async (ctx, nextMiddleware) => {
  await nextMiddleware();
  if (ctx.method === 'POST' && ctx.path === '/token' && next.tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token, next.tamper) };
    next.tamper = '';
  }
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    return provider.interactionFinished(req, res, { login: { accountId: next.account } }, { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/test/next') {
    const account = url.searchParams.get('account') || 'anna';
    if (!accounts[account]) {
      res.writeHead(400).end('unknown account');
      return;
    }
    next = { account, tamper: url.searchParams.get('tamper') || '' };
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/test/roll') {
    rolledOver = true;
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/jwks' && rolledOver) {
    const pub = (key, id) => ({ ...key.export({ format: 'jwk' }), kid: id, use: 'sig', alg: 'RS256' });
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: [pub(signing.publicKey, kid), pub(rolled.publicKey, rolledKid)] }));
    return;
  }
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res).catch((e) => {
      res.writeHead(500).end(String(e));
    });
    return;
  }
  callback(req, res);
});
server.listen(Number(port), '127.0.0.1', () => console.log(`provider ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
