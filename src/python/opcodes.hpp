#ifndef MEMCACHE_SRC_PYTHON_OPCODES_HPP
#define MEMCACHE_SRC_PYTHON_OPCODES_HPP

// Pickle opcodes, protocols 0 to 5, with the names CPython's pickletools
// gives them (used in error messages).

#include <cstdint>

namespace memcache::python::op {

// Protocol 0.
inline constexpr std::uint8_t MARK = '(';
inline constexpr std::uint8_t STOP = '.';
inline constexpr std::uint8_t POP = '0';
inline constexpr std::uint8_t POP_MARK = '1';
inline constexpr std::uint8_t DUP = '2';
inline constexpr std::uint8_t FLOAT = 'F';
inline constexpr std::uint8_t INT = 'I';
inline constexpr std::uint8_t LONG = 'L';
inline constexpr std::uint8_t NONE = 'N';
inline constexpr std::uint8_t PERSID = 'P';
inline constexpr std::uint8_t REDUCE = 'R';
inline constexpr std::uint8_t STRING = 'S';
inline constexpr std::uint8_t UNICODE = 'V';
inline constexpr std::uint8_t APPEND = 'a';
inline constexpr std::uint8_t BUILD = 'b';
inline constexpr std::uint8_t GLOBAL = 'c';
inline constexpr std::uint8_t DICT = 'd';
inline constexpr std::uint8_t GET = 'g';
inline constexpr std::uint8_t INST = 'i';
inline constexpr std::uint8_t LIST = 'l';
inline constexpr std::uint8_t PUT = 'p';
inline constexpr std::uint8_t SETITEM = 's';
inline constexpr std::uint8_t TUPLE = 't';
// Protocol 1.
inline constexpr std::uint8_t BINFLOAT = 'G';
inline constexpr std::uint8_t BININT = 'J';
inline constexpr std::uint8_t BININT1 = 'K';
inline constexpr std::uint8_t BININT2 = 'M';
inline constexpr std::uint8_t BINPERSID = 'Q';
inline constexpr std::uint8_t BINSTRING = 'T';
inline constexpr std::uint8_t SHORT_BINSTRING = 'U';
inline constexpr std::uint8_t BINUNICODE = 'X';
inline constexpr std::uint8_t APPENDS = 'e';
inline constexpr std::uint8_t BINGET = 'h';
inline constexpr std::uint8_t LONG_BINGET = 'j';
inline constexpr std::uint8_t EMPTY_DICT = '}';
inline constexpr std::uint8_t EMPTY_LIST = ']';
inline constexpr std::uint8_t OBJ = 'o';
inline constexpr std::uint8_t BINPUT = 'q';
inline constexpr std::uint8_t LONG_BINPUT = 'r';
inline constexpr std::uint8_t SETITEMS = 'u';
inline constexpr std::uint8_t EMPTY_TUPLE = ')';
// Protocol 2.
inline constexpr std::uint8_t PROTO = 0x80;
inline constexpr std::uint8_t NEWOBJ = 0x81;
inline constexpr std::uint8_t EXT1 = 0x82;
inline constexpr std::uint8_t EXT2 = 0x83;
inline constexpr std::uint8_t EXT4 = 0x84;
inline constexpr std::uint8_t TUPLE1 = 0x85;
inline constexpr std::uint8_t TUPLE2 = 0x86;
inline constexpr std::uint8_t TUPLE3 = 0x87;
inline constexpr std::uint8_t NEWTRUE = 0x88;
inline constexpr std::uint8_t NEWFALSE = 0x89;
inline constexpr std::uint8_t LONG1 = 0x8a;
inline constexpr std::uint8_t LONG4 = 0x8b;
// Protocol 3.
inline constexpr std::uint8_t BINBYTES = 'B';
inline constexpr std::uint8_t SHORT_BINBYTES = 'C';
// Protocol 4.
inline constexpr std::uint8_t SHORT_BINUNICODE = 0x8c;
inline constexpr std::uint8_t BINUNICODE8 = 0x8d;
inline constexpr std::uint8_t BINBYTES8 = 0x8e;
inline constexpr std::uint8_t EMPTY_SET = 0x8f;
inline constexpr std::uint8_t ADDITEMS = 0x90;
inline constexpr std::uint8_t FROZENSET = 0x91;
inline constexpr std::uint8_t NEWOBJ_EX = 0x92;
inline constexpr std::uint8_t STACK_GLOBAL = 0x93;
inline constexpr std::uint8_t MEMOIZE = 0x94;
inline constexpr std::uint8_t FRAME = 0x95;
// Protocol 5.
inline constexpr std::uint8_t BYTEARRAY8 = 0x96;
inline constexpr std::uint8_t NEXT_BUFFER = 0x97;
inline constexpr std::uint8_t READONLY_BUFFER = 0x98;

/// pickletools' name for `code`, or nullptr for a byte that is no opcode.
inline const char* name(std::uint8_t code) {
  switch (code) {
    case MARK:
      return "MARK";
    case STOP:
      return "STOP";
    case POP:
      return "POP";
    case POP_MARK:
      return "POP_MARK";
    case DUP:
      return "DUP";
    case FLOAT:
      return "FLOAT";
    case INT:
      return "INT";
    case LONG:
      return "LONG";
    case NONE:
      return "NONE";
    case PERSID:
      return "PERSID";
    case REDUCE:
      return "REDUCE";
    case STRING:
      return "STRING";
    case UNICODE:
      return "UNICODE";
    case APPEND:
      return "APPEND";
    case BUILD:
      return "BUILD";
    case GLOBAL:
      return "GLOBAL";
    case DICT:
      return "DICT";
    case GET:
      return "GET";
    case INST:
      return "INST";
    case LIST:
      return "LIST";
    case PUT:
      return "PUT";
    case SETITEM:
      return "SETITEM";
    case TUPLE:
      return "TUPLE";
    case BINFLOAT:
      return "BINFLOAT";
    case BININT:
      return "BININT";
    case BININT1:
      return "BININT1";
    case BININT2:
      return "BININT2";
    case BINPERSID:
      return "BINPERSID";
    case BINSTRING:
      return "BINSTRING";
    case SHORT_BINSTRING:
      return "SHORT_BINSTRING";
    case BINUNICODE:
      return "BINUNICODE";
    case APPENDS:
      return "APPENDS";
    case BINGET:
      return "BINGET";
    case LONG_BINGET:
      return "LONG_BINGET";
    case EMPTY_DICT:
      return "EMPTY_DICT";
    case EMPTY_LIST:
      return "EMPTY_LIST";
    case OBJ:
      return "OBJ";
    case BINPUT:
      return "BINPUT";
    case LONG_BINPUT:
      return "LONG_BINPUT";
    case SETITEMS:
      return "SETITEMS";
    case EMPTY_TUPLE:
      return "EMPTY_TUPLE";
    case PROTO:
      return "PROTO";
    case NEWOBJ:
      return "NEWOBJ";
    case EXT1:
      return "EXT1";
    case EXT2:
      return "EXT2";
    case EXT4:
      return "EXT4";
    case TUPLE1:
      return "TUPLE1";
    case TUPLE2:
      return "TUPLE2";
    case TUPLE3:
      return "TUPLE3";
    case NEWTRUE:
      return "NEWTRUE";
    case NEWFALSE:
      return "NEWFALSE";
    case LONG1:
      return "LONG1";
    case LONG4:
      return "LONG4";
    case BINBYTES:
      return "BINBYTES";
    case SHORT_BINBYTES:
      return "SHORT_BINBYTES";
    case SHORT_BINUNICODE:
      return "SHORT_BINUNICODE";
    case BINUNICODE8:
      return "BINUNICODE8";
    case BINBYTES8:
      return "BINBYTES8";
    case EMPTY_SET:
      return "EMPTY_SET";
    case ADDITEMS:
      return "ADDITEMS";
    case FROZENSET:
      return "FROZENSET";
    case NEWOBJ_EX:
      return "NEWOBJ_EX";
    case STACK_GLOBAL:
      return "STACK_GLOBAL";
    case MEMOIZE:
      return "MEMOIZE";
    case FRAME:
      return "FRAME";
    case BYTEARRAY8:
      return "BYTEARRAY8";
    case NEXT_BUFFER:
      return "NEXT_BUFFER";
    case READONLY_BUFFER:
      return "READONLY_BUFFER";
    default:
      return nullptr;
  }
}

}  // namespace memcache::python::op

#endif  // MEMCACHE_SRC_PYTHON_OPCODES_HPP
