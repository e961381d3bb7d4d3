using System.Buffers.Binary;
using System.Text;

namespace SparseCore.Models.Tests.IO;

/// <summary>Builds safetensors files byte by byte, independently of the writer under test.</summary>
internal static class SafetensorsFiles
{
    /// <summary>8-byte little-endian length, the header as given (space-padded to 8), the data.</summary>
    public static byte[] Encode(string header, byte[] data, ulong? headerLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static byte[] Int64s(params long[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    /// <summary>One F32 tensor's header entry.</summary>
    public static string F32(string name, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";
}
