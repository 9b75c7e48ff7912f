/**
 * The Asset Bank connector's options (src/connectors/asset-bank/options.ts and source-ref.ts): what an
 * archivist types is checked at the desk, and no setting can send credentials in clear.
 */
import { describe, expect, it } from 'vitest';
import { ASSET_BANK_OPTIONS_SPEC, parseAssetBankOptions } from '../../src/connectors/asset-bank/options.js';
import { parseSource, scopeQuery } from '../../src/connectors/asset-bank/source-ref.js';
import { validateOptions } from '../../src/connectors/options.js';

const base = {
  url: 'https://x.assetbank.app/assetbank-x',
  clientId: 'c',
  clientSecret: 's',
  username: 'u',
  password: 'p',
  consentRefsAttribute: 705,
};

describe('asset-bank options', () => {
  it('refuses http for a non-loopback host', () => {
    expect(() => parseAssetBankOptions({ ...base, url: 'http://x.assetbank.app/assetbank-x' })).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_OPTIONS_INVALID',
        message: expect.stringMatching(/asset-bank.*https.*not x\.assetbank\.app/),
      }),
    );
    for (const url of ['http://127.0.0.1:8080/asset-bank', 'http://localhost:1/ab', 'http://[::1]:9/ab'])
      expect(parseAssetBankOptions({ ...base, url }).webapp).toBe(url.replace(/\/$/, ''));
  });

  it('takes the webapp address with or without /rest, and refuses credentials or a query in it', () => {
    const s = parseAssetBankOptions({ ...base, url: 'https://x.assetbank.app/assetbank-x/rest/' });
    expect(s.webapp).toBe('https://x.assetbank.app/assetbank-x');
    expect(s.origin).toBe('https://x.assetbank.app');
    for (const url of ['https://u:p@x.app/ab', 'https://x.app/ab?userId=1', 'ftp://x.app/ab', 'not a url'])
      expect(() => parseAssetBankOptions({ ...base, url })).toThrow(
        expect.objectContaining({ code: 'CONNECTOR_OPTIONS_INVALID' }),
      );
  });

  it('names the credentials the chosen grant still needs', () => {
    const { password: _p, ...noPassword } = base;
    expect(() => parseAssetBankOptions(noPassword)).toThrow(/auth=password needs password/);
    expect(() =>
      parseAssetBankOptions({ url: base.url, auth: 'authorization-code', consentRefsAttribute: 1, clientId: 'c' }),
    ).toThrow(/auth=authorization-code needs clientSecret/);
    expect(parseAssetBankOptions({ url: base.url, auth: 'none', consentRefsAttribute: 1 }).auth).toBe('none');
  });

  it('refuses two mappings on one attribute, and splits the lists', () => {
    expect(() => parseAssetBankOptions({ ...base, participantsAttribute: 705 })).toThrow(/same attribute id/);
    const s = parseAssetBankOptions({ ...base, imageTypeIds: '2,7', contentHosts: '*.amazonaws.com, cdn.x.io' });
    expect(s.imageTypeIds).toEqual([2, 7]);
    expect(s.contentHosts).toEqual(['*.amazonaws.com', 'cdn.x.io']);
    expect(s.clearanceValues).toEqual({ unlimited: 'Cleared', limited: 'Restricted', none: 'Not cleared' });
  });

  it('stores secrets only as references', () => {
    const spec = ASSET_BANK_OPTIONS_SPEC;
    expect(() => validateOptions('asset-bank', spec, { ...base, password: 'hunter2' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    const stored = validateOptions('asset-bank', spec, {
      ...base,
      clientSecret: 'secret:ab-client',
      password: 'secret:ab-pw',
    });
    expect(stored).toMatchObject({ password: 'secret:ab-pw', clientSecret: 'secret:ab-client' });
  });

  it.each([
    ['folder:12', { kind: 'folder', folderIds: [12] }],
    ['folder:12,13', { kind: 'folder', folderIds: [12, 13] }],
    ['attribute:704=SHOOT-42', { kind: 'attribute', attributeId: 704, value: 'SHOOT-42' }],
  ])('source %s', (source, expected) => {
    expect(parseSource(source)).toEqual(expected);
  });

  it.each([
    'folder:',
    'folder:0',
    'folder:1,1',
    'folder:a',
    'attribute:704=',
    'attribute:x=1',
    '/photos',
    'collection:1',
  ])('refuses source %j', (source) => {
    expect(() => parseSource(source)).toThrow(expect.objectContaining({ code: 'SOURCE_INVALID' }));
  });

  it('scopes folders repeated or comma-separated, with implicit members', () => {
    const src = parseSource('folder:12,13');
    expect(scopeQuery(src, 'repeat')).toEqual({
      'permissionCategoryForm.categoryIds': [12, 13],
      includeImplicitCategoryMembers: true,
    });
    expect(scopeQuery(src, 'comma')['permissionCategoryForm.categoryIds']).toBe('12,13');
    expect(scopeQuery(parseSource('attribute:704=SHOOT-42'), 'repeat')).toEqual({ attribute_704: 'SHOOT-42' });
  });
});
