using System.Runtime.InteropServices;
using System.Text.Json;
using SparseCore.Tensors;

namespace SparseCore.Models.IO;

/// <summary>
/// Builds a safetensors file: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Tensors are laid out in
/// ordinal name order, contiguously from offset 0, and the header is padded with spaces to a
/// multiple of 8 (as the reference implementation does, so the data section stays aligned); the
/// same tensors and metadata therefore always give the same bytes. Device tensors are downloaded
/// one at a time while writing, so a checkpoint never needs a second host copy of the model.
/// </summary>
public sealed class SafetensorsWriter
{
    private readonly SortedDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> metadata = new(StringComparer.Ordinal);

    private sealed record Entry(SafetensorsDType DType, int[] Shape, long ByteLength, Action<Stream> WriteData);

    static SafetensorsWriter()
    {
        // Data is written as the in-memory bytes; every platform .NET 10 runs on is little-endian.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors: writing needs a little-endian machine");
    }

    public IReadOnlyCollection<string> Names => entries.Keys;

    /// <summary>Sets one entry of the header's <c>__metadata__</c> string map.</summary>
    public SafetensorsWriter Metadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        metadata[key] = value;
        return this;
    }

    /// <summary>Adds an F32 tensor whose values are downloaded from the device when the file is written.</summary>
    public SafetensorsWriter Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Add(name, SafetensorsDType.F32, tensor.Shape.Dims.ToArray(), 4L * tensor.Size,
            s => s.Write(MemoryMarshal.AsBytes(tensor.ToArray().AsSpan())));
    }

    public SafetensorsWriter Add(string name, float[] values, params int[] shape) =>
        Add(name, SafetensorsDType.F32, shape, values, s => s.Write(MemoryMarshal.AsBytes(values.AsSpan())));

    public SafetensorsWriter Add(string name, int[] values, params int[] shape) =>
        Add(name, SafetensorsDType.I32, shape, values, s => s.Write(MemoryMarshal.AsBytes(values.AsSpan())));

    public SafetensorsWriter Add(string name, long[] values, params int[] shape) =>
        Add(name, SafetensorsDType.I64, shape, values, s => s.Write(MemoryMarshal.AsBytes(values.AsSpan())));

    private SafetensorsWriter Add<T>(string name, SafetensorsDType dtype, int[] shape, T[] values, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        long elements = Elements(name, shape);
        if (values.LongLength != elements)
            throw new ArgumentException($"safetensors: tensor '{name}' has {values.LongLength} values for shape {Format(shape)} ({elements} elements)");
        return Add(name, dtype, shape, elements * dtype.Size(), write);
    }

    private SafetensorsWriter Add(string name, SafetensorsDType dtype, int[] shape, long byteLength, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafetensorsReader.MetadataKey)
            throw new ArgumentException($"safetensors: '{SafetensorsReader.MetadataKey}' is reserved for the metadata map, not a tensor name");
        if (entries.ContainsKey(name))
            throw new ArgumentException($"safetensors: tensor '{name}' was added twice");
        Elements(name, shape);
        entries.Add(name, new Entry(dtype, shape.ToArray(), byteLength, write));
        return this;
    }

    /// <summary>Writes the file atomically: a failure at any point leaves no file (and no old file damaged).</summary>
    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the whole file to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        byte[] header = Header();
        Span<byte> length = stackalloc byte[8];
        BitConverter.TryWriteBytes(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (name, entry) in entries)
        {
            long before = stream.CanSeek ? stream.Position : -1;
            entry.WriteData(stream);
            // A tensor resized after it was added would silently shift every later offset.
            if (before >= 0 && stream.Position - before != entry.ByteLength)
                throw new InvalidOperationException(
                    $"safetensors: tensor '{name}' wrote {stream.Position - before} bytes, its header entry says {entry.ByteLength}");
        }
    }

    private byte[] Header()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(SafetensorsReader.MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, entry) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", entry.DType.Name());
                json.WriteStartArray("shape");
                foreach (int d in entry.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + entry.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += entry.ByteLength;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static long Elements(string name, int[] shape)
    {
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"safetensors: tensor '{name}' has a negative dimension in shape {Format(shape)}");
            elements = checked(elements * d);
        }
        return elements;
    }

    private static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
