"""MS-OVBA 2.4.1 compression: the CompressedContainer that holds VBA source and the ``dir`` stream.

``compress`` follows the algorithm of MS-OVBA 2.4.1.3.6-2.4.1.3.10 step by step, including
its choice of copy token (2.4.1.3.19.4: the nearest earlier position with the longest
match), so it reproduces the worked examples of MS-OVBA 3.2 byte for byte. The one place
it departs from the pseudocode is a final, shorter-than-4096-byte chunk that does not
compress: 2.4.1.3.10 would pad that raw chunk with zeros up to 4096 bytes, which would add
those zeros to the data, so it is written unpadded (the header still says 4096 bytes, as
2.4.1.3.7 and readers such as olevba require). VBA text always compresses, so this only
concerns arbitrary binary input.
"""
from __future__ import annotations

CHUNK_SIZE = 4096                     # decompressed bytes per chunk (MS-OVBA 2.4.1.1.3)
_SIGNATURE_BYTE = 0x01                # CompressedContainer.SignatureByte (2.4.1.1.1)
_CHUNK_SIGNATURE = 0b011 << 12        # CompressedChunkHeader.CompressedChunkSignature (2.4.1.1.5)
_COMPRESSED_FLAG = 0x8000             # CompressedChunkHeader.CompressedChunkFlag
_RAW_HEADER = _CHUNK_SIGNATURE | (CHUNK_SIZE + 2 - 3)   # a raw chunk's header: size 4098, flag 0


def compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.6: the signature byte, then one CompressedChunk per 4096 bytes of ``data``."""
    data = bytes(data)
    out = bytearray([_SIGNATURE_BYTE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data, start, min(start + CHUNK_SIZE, len(data)))
    return bytes(out)


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """MS-OVBA 2.4.1.3.7-2.4.1.3.9: token sequences while they fit in 4096 bytes, else a raw chunk."""
    body = bytearray()
    pos = start
    while pos < end and len(body) < CHUNK_SIZE:
        flag_index = len(body)
        body.append(0)
        for bit in range(8):
            if pos >= end or len(body) >= CHUNK_SIZE:
                break
            candidate, length = _longest_match(data, start, pos, end)
            if length:
                if len(body) + 1 >= CHUNK_SIZE:      # no room for a two-byte CopyToken
                    return _raw_chunk(data, start, end)
                body += _copy_token(pos - start, pos - candidate, length).to_bytes(2, "little")
                body[flag_index] |= 1 << bit
                pos += min(length, _max_length(pos - start))
            else:
                body.append(data[pos])
                pos += 1
    if pos < end:
        return _raw_chunk(data, start, end)
    return (_CHUNK_SIGNATURE | _COMPRESSED_FLAG | (len(body) + 2 - 3)).to_bytes(2, "little") + body


def _raw_chunk(data: bytes, start: int, end: int) -> bytes:
    """MS-OVBA 2.4.1.3.10, without the zero padding of a short last chunk (see the module docstring)."""
    return _RAW_HEADER.to_bytes(2, "little") + data[start:end]


def _longest_match(data: bytes, chunk_start: int, pos: int, end: int) -> tuple[int, int]:
    """MS-OVBA 2.4.1.3.19.4 Matching: the nearest earlier start in the chunk with the longest match.

    Returns (candidate, uncapped length), or (-1, 0) when no match reaches 3 bytes. Each
    ``rfind`` finds the nearest candidate matching at least one byte more than the best so
    far; candidates may overlap ``pos``, as in the pseudocode.
    """
    best, best_length = -1, 0
    wanted = 3
    while pos + wanted <= end:
        candidate = data.rfind(data[pos:pos + wanted], chunk_start, pos - 1 + wanted)
        if candidate < 0:
            break
        best = candidate
        best_length = wanted + _common_length(data, candidate + wanted, pos + wanted, end - pos - wanted)
        wanted = best_length + 1
    return best, best_length


def _common_length(data: bytes, a: int, b: int, limit: int) -> int:
    """How many bytes from ``a`` and from ``b`` are equal, at most ``limit`` (galloping slice compares)."""
    n, step = 0, 16
    while n < limit:
        m = min(step, limit - n)
        if data[a + n:a + n + m] == data[b + n:b + n + m]:
            n += m
            step *= 2
        elif m == 1:
            break
        else:
            step = m // 2
    return n


def _bit_count(chunk_position: int) -> int:
    """MS-OVBA 2.4.1.3.19.1 CopyToken Help: offset bits for a token at this position in the chunk."""
    return max((chunk_position - 1).bit_length(), 4)


def _max_length(chunk_position: int) -> int:
    """MS-OVBA 2.4.1.3.19.1: the longest copy a token at this position can encode."""
    return (0xFFFF >> _bit_count(chunk_position)) + 3


def _copy_token(chunk_position: int, offset: int, length: int) -> int:
    """MS-OVBA 2.4.1.3.19.3 Pack CopyToken, with the length capped as in 2.4.1.3.19.4."""
    bits = _bit_count(chunk_position)
    length = min(length, _max_length(chunk_position))
    return ((offset - 1) << (16 - bits)) | (length - 3)


def decompress(container: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.1: decode a CompressedContainer; ValueError when it is malformed."""
    container = bytes(container)
    if not container or container[0] != _SIGNATURE_BYTE:
        raise ValueError("not an MS-OVBA compressed container: the first byte must be 0x01")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError(f"truncated chunk header at byte {pos}")
        header = int.from_bytes(container[pos:pos + 2], "little")
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad chunk signature at byte {pos}")
        size = (header & 0x0FFF) + 3
        if header & _COMPRESSED_FLAG:
            _decompress_chunk(container, pos + 2, min(pos + size, len(container)), out)
        elif size != CHUNK_SIZE + 2:
            raise ValueError(f"raw chunk at byte {pos} does not declare 4096 bytes")
        else:
            out += container[pos + 2:pos + size]          # MS-OVBA 2.4.1.3.3
        pos += size
    return bytes(out)


def _decompress_chunk(src: bytes, pos: int, end: int, out: bytearray) -> None:
    """MS-OVBA 2.4.1.3.2 and 2.4.1.3.4-2.4.1.3.5: token sequences up to the end of the chunk."""
    chunk_start = len(out)
    while pos < end:
        flags = src[pos]
        pos += 1
        for bit in range(8):
            if pos >= end:
                break
            if not flags >> bit & 1:
                out.append(src[pos])
                pos += 1
                continue
            if pos + 2 > end:
                raise ValueError(f"truncated copy token at byte {pos}")
            token = int.from_bytes(src[pos:pos + 2], "little")
            pos += 2
            bits = _bit_count(len(out) - chunk_start)
            length = (token & (0xFFFF >> bits)) + 3
            offset = (token >> (16 - bits)) + 1
            if len(out) - offset < chunk_start:
                raise ValueError(f"copy token before the start of its chunk at byte {pos - 2}")
            period = out[len(out) - offset:]
            out += (period * (length // offset + 1))[:length]
