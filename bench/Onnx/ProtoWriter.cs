using System.Buffers.Binary;
using System.Text;

namespace SparseCore.Bench.Onnx;

/// <summary>
/// The few protobuf wire-format primitives an ONNX ModelProto needs (varint, fixed32,
/// length-delimited), so the bench can build models without an onnx/protobuf package.
/// Nested messages are written into their own writer and then length-prefixed.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0, WireFixed32 = 5, WireLengthDelimited = 2;

    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public void Int64(int field, long value)
    {
        Tag(field, WireVarint);
        Varint((ulong)value); // negative int64 is 10 bytes of two's complement, as protobuf does
    }

    public void Float(int field, float value)
    {
        Tag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLengthDelimited);
        Varint((ulong)value.Length);
        _stream.Write(value);
    }

    public void Message(int field, Action<ProtoWriter> writeBody)
    {
        var body = new ProtoWriter();
        writeBody(body);
        Bytes(field, body._stream.GetBuffer().AsSpan(0, (int)body._stream.Length));
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _stream.WriteByte((byte)value);
    }
}
