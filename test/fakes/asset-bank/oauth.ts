/**
 * The fake's OAuth endpoints beside the REST API (`{webapp}/oauth/token`, `{webapp}/oauth/authorize`):
 * password, authorization-code and refresh grants answering `{access_token, token_type, expires_in,
 * refresh_token}`, errors as Spring-style `{error, error_description}` (⚠ unconfirmed in dam-apis.md).
 */
import type { FakeRequest, FakeResponse } from '../../../src/testing/fake-http.js';
import type { ServerSettings } from './settings.js';
import type { FakeAssetBankState } from './state.js';

const text = (status: number, body: string): FakeResponse => ({ status, text: body });

export function tokenEndpoint(
  state: FakeAssetBankState,
  clientAuth: ServerSettings['clientAuth'],
  req: FakeRequest,
): FakeResponse {
  const oauthError = (status: number, error: string, description: string): FakeResponse => ({
    status,
    json: { error, error_description: description },
  });
  if (req.method !== 'POST') return text(405, 'Request method not supported');
  const form = req.form();
  let clientId = form.get('client_id') ?? '';
  let clientSecret = form.get('client_secret') ?? '';
  const basic = req.headers.authorization;
  if (basic?.startsWith('Basic ')) {
    if (clientAuth === 'body') return oauthError(401, 'invalid_client', 'Bad client credentials');
    const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
    clientId = id ?? '';
    clientSecret = secret ?? '';
  } else if (clientAuth === 'basic') return oauthError(401, 'invalid_client', 'Bad client credentials');
  const client = state.client(clientId, clientSecret);
  if (!client) return oauthError(401, 'invalid_client', 'Bad client credentials');
  switch (form.get('grant_type')) {
    case 'password': {
      const user = state.userByLogin(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return oauthError(400, 'invalid_grant', 'Bad credentials');
      return { json: state.issueTokens(user.id, client.clientId) };
    }
    case 'authorization_code': {
      const code = state.codes.get(form.get('code') ?? '');
      if (!code || code.clientId !== client.clientId || code.redirectUri !== form.get('redirect_uri'))
        return oauthError(400, 'invalid_grant', 'Invalid authorization code');
      state.codes.delete(form.get('code')!);
      return { json: state.issueTokens(code.userId, client.clientId) };
    }
    case 'refresh_token': {
      const presented = form.get('refresh_token') ?? '';
      const refresh = state.refreshTokens.get(presented);
      if (!refresh || refresh.clientId !== client.clientId)
        return oauthError(400, 'invalid_grant', 'Invalid refresh token');
      const issued = state.issueTokens(refresh.userId, client.clientId);
      if (state.options.rotateRefreshTokens) state.refreshTokens.delete(presented);
      else {
        state.refreshTokens.delete(issued.refresh_token);
        issued.refresh_token = presented;
      }
      return { json: issued };
    }
    default:
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type');
  }
}

/** No browser in a test: the fake approves at once as `authorizeAs` and redirects with the code. */
export function authorizeEndpoint(state: FakeAssetBankState, req: FakeRequest, authorizeAs: number): FakeResponse {
  const clientId = req.query.get('client_id') ?? '';
  const redirectUri = req.query.get('redirect_uri') ?? '';
  if (!state.clients.some((c) => c.clientId === clientId)) return text(400, 'Unknown client');
  const redirect = new URL(redirectUri);
  if (redirect.protocol !== 'https:' && redirect.hostname !== 'localhost' && redirect.hostname !== '127.0.0.1')
    return text(400, 'Redirect URIs must be https unless on localhost');
  redirect.searchParams.set('code', state.issueCode(authorizeAs, clientId, redirectUri));
  const st = req.query.get('state');
  if (st !== null) redirect.searchParams.set('state', st);
  return { status: 302, headers: { location: redirect.toString() } };
}
