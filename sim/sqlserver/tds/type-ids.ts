/** TDS data type ids (MS-TDS 2.2.5.4) the simulator reads or writes, and the markers around them. */
export const TypeId = {
  INT1: 0x30,
  BIT: 0x32,
  INT2: 0x34,
  INT4: 0x38,
  DATETIME: 0x3d,
  FLT8: 0x3e,
  INT8: 0x7f,
  GUID: 0x24,
  INTN: 0x26,
  DATETIME2N: 0x2a,
  BITN: 0x68,
  DECIMALN: 0x6a,
  NUMERICN: 0x6c,
  FLTN: 0x6d,
  DATETIMN: 0x6f,
  BIGVARBIN: 0xa5,
  BIGVARCHR: 0xa7,
  BIGBINARY: 0xad,
  BIGCHAR: 0xaf,
  NVARCHAR: 0xe7,
  NCHAR: 0xef,
} as const;

/** Declared length of the MAX (PLP) string and binary types. */
export const MAX_MARKER = 0xffff;
export const PLP_NULL = 0xffffffffffffffffn;
export const PLP_UNKNOWN_LENGTH = 0xfffffffffffffffen;
/** Length prefix of a NULL in a USHORT-length string/binary value. */
export const USHORT_NULL = 0xffff;
