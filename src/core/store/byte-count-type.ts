import { BigIntType, type EntityProperty, type Platform } from '@mikro-orm/core';

/**
 * A count of bytes (a file's size): an 8-byte column on both drivers, read back as a JS number (exact up
 * to 2^53 bytes), never a string or a BigInt. PostgreSQL's `int` stops at 2 GB, which a RAW or TIFF
 * master can pass, so there it is `bigint`. SQLite has a single integer type, already 8 bytes, so there
 * it stays `integer`: declaring `bigint` would only make SQLite rebuild the table for nothing.
 */
export class ByteCountType extends BigIntType<'number'> {
  constructor() {
    super('number');
  }

  override getColumnType(prop: EntityProperty, platform: Platform): string {
    const integer = platform.getIntegerTypeDeclarationSQL(prop);
    const oneIntegerType = platform.getSmallIntTypeDeclarationSQL(prop) === integer;
    return oneIntegerType ? integer : platform.getBigIntTypeDeclarationSQL(prop);
  }
}
