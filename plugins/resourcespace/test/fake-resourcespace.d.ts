// Types of fake-resourcespace.js for TypeScript tests (the plugin itself is plain JavaScript).
export declare const FAKE_RS_FIELDS: {
  title: 8;
  caption: 18;
  consentRefs: 80;
  participants: 81;
  faceRegions: 82;
  usageClearance: 83;
  locked: 84;
};

export interface FakeResourceSpaceRequest {
  method: string;
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: Record<string, unknown>;
}

export interface FakeResourceSpace {
  handler(req: FakeResourceSpaceRequest): Promise<{
    status?: number;
    headers?: Record<string, string>;
    json?: unknown;
    text?: string;
    body?: Uint8Array | string;
  }>;
  state: {
    apiEnabled: boolean;
    resources: Map<number, { ref: number; file_extension: string; bytes: Uint8Array; values: Map<number, string> }>;
    collections: Map<number, { name: string; refs: number[] }>;
    calls: { fn: string; ok: boolean }[];
    writes: { resource: number; field: number; from: string; to: string }[];
  };
  keyOf(username: string): string;
  addResource(r: {
    bytes: Uint8Array;
    extension?: string;
    collections?: number[];
    values?: Record<number, string>;
  }): number;
  addToCollection(collection: number, ref: number): void;
  removeFromCollection(collection: number, ref: number): void;
  replaceFile(ref: number, bytes: Uint8Array): void;
  setField(ref: number, field: number, value: string): void;
  fieldValue(ref: number, field: number): string;
  disableApi(): void;
  disableUser(username: string): void;
  deny(ref: number): void;
  forget(fn: string): void;
}

export declare function createFakeResourceSpace(options?: {
  users?: { username: string; privateKey?: string }[];
  start?: Date;
}): FakeResourceSpace;
