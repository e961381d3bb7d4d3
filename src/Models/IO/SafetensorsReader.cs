using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SparseCore.Models.Data;

namespace SparseCore.Models.IO;

/// <summary>
/// Reads a safetensors file: validates the whole header against the file up front, then reads
/// tensors one at a time on request, so a checkpoint larger than memory's comfort is never held
/// twice. Every problem is a <see cref="DataFormatException"/> naming the file and the field.
/// <para>
/// Layout rules follow the reference implementation's validation: the tensors must tile the data
/// section exactly — sorted by offset, each begins where the previous ended, and the last ends at
/// the end of the file. A gap is therefore an error, not a warning: bytes that no tensor claims
/// mean the header and the data disagree, and guessing which is right would load wrong weights.
/// </para>
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    public const string MetadataKey = "__metadata__";

    /// <summary>The reference implementation refuses larger headers; so do we, before allocating one.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private readonly SafeFileHandle handle;
    private readonly long dataStart;
    private readonly Dictionary<string, SafetensorsEntry> byName;

    private SafetensorsReader(string path, SafeFileHandle handle, long dataStart,
        Dictionary<string, SafetensorsEntry> byName, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        this.byName = byName;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor, in data-offset order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    public bool Contains(string name) => byName.ContainsKey(name);

    public bool TryGet(string name, out SafetensorsEntry entry) => byName.TryGetValue(name, out entry!);

    /// <summary>The entry named <paramref name="name"/>, or an error listing what the file does hold.</summary>
    public SafetensorsEntry this[string name] =>
        byName.TryGetValue(name, out var entry)
            ? entry
            : throw new DataFormatException(Path, $"tensor '{name}'",
                $"missing: the file has no such tensor (it holds {Entries.Count}: {Preview(Entries.Select(e => e.Name))})");

    public static SafetensorsReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new DataFormatException(path, "file", "is a directory, not a safetensors file");
        if (!File.Exists(path))
            throw new DataFormatException(path, "file", "not found");

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "file", $"cannot be opened: {e.Message}", e);
        }

        try
        {
            return Parse(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafetensorsReader Parse(string path, SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw new DataFormatException(path, "header length",
                $"the file has {fileLength} byte(s); a safetensors file starts with an 8-byte header length");

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(handle, prefix, 0, path, "header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new DataFormatException(path, "header length",
                $"says {headerLength} bytes, past the end of the file ({fileLength - 8} bytes follow the length)");
        if (headerLength > MaxHeaderLength)
            throw new DataFormatException(path, "header length",
                $"says {headerLength} bytes, more than the {MaxHeaderLength} the format allows");

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8, path, "header");
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, "header", $"invalid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(path, "header", $"is a JSON {root.ValueKind}, not an object of tensors");

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var byName = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (metadata.Count > 0)
                        throw new DataFormatException(path, MetadataKey, "appears twice in the header");
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }
                if (byName.ContainsKey(property.Name))
                    throw new DataFormatException(path, $"tensor '{property.Name}'", "appears twice in the header");
                byName.Add(property.Name, ParseEntry(path, property.Name, property.Value, dataLength));
            }

            var entries = byName.Values.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
            CheckTiling(path, entries, dataLength);
            return new SafetensorsReader(path, handle, dataStart, byName, entries, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, MetadataKey, $"is a JSON {value.ValueKind}; it must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new DataFormatException(path, $"{MetadataKey}.{item.Name}",
                    $"is a JSON {item.Value.ValueKind}; metadata values must be strings");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string field = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, field, $"is a JSON {value.ValueKind}, not an object with dtype, shape and data_offsets");

        var dtypeElement = Required(path, field, value, "dtype", JsonValueKind.String);
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
            throw new DataFormatException(path, $"{field} dtype",
                $"unknown dtype '{dtypeName}'; safetensors dtypes are {SafetensorsDTypes.KnownNames}");

        var shapeElement = Required(path, field, value, "shape", JsonValueKind.Array);
        var shape = new int[shapeElement.GetArrayLength()];
        int axis = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out shape[axis]) || shape[axis] < 0)
                throw new DataFormatException(path, $"{field} shape",
                    $"dimension {axis} is {d.GetRawText()}; dimensions must be integers in [0, {int.MaxValue}]");
            axis++;
        }

        var offsets = Required(path, field, value, "data_offsets", JsonValueKind.Array);
        if (offsets.GetArrayLength() != 2)
            throw new DataFormatException(path, $"{field} data_offsets",
                $"has {offsets.GetArrayLength()} values; it must be [begin, end]");
        long begin = Offset(path, field, offsets[0]), end = Offset(path, field, offsets[1]);
        if (begin > end)
            throw new DataFormatException(path, $"{field} data_offsets", $"[{begin}, {end}] ends before it begins");
        if (end > dataLength)
            throw new DataFormatException(path, $"{field} data_offsets",
                $"[{begin}, {end}] is out of range: the data section has {dataLength} bytes");

        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        long elements = 1;
        foreach (int d in shape)
        {
            elements *= d; // cannot overflow: checked against the data length before the next multiply
            if (elements > dataLength)
                break;
        }
        if (elements > dataLength || elements * dtype.Size() != end - begin)
            throw new DataFormatException(path, $"{field} shape",
                $"shape {entry.ShapeText} of {dtype.Name()} needs {(elements > dataLength ? "more than " + dataLength : elements * dtype.Size())} bytes, " +
                $"but data_offsets [{begin}, {end}] hold {end - begin}");
        return entry;
    }

    private static JsonElement Required(string path, string field, JsonElement value, string key, JsonValueKind kind)
    {
        if (!value.TryGetProperty(key, out var element))
            throw new DataFormatException(path, $"{field} {key}", "missing");
        if (element.ValueKind != kind)
            throw new DataFormatException(path, $"{field} {key}", $"is a JSON {element.ValueKind}; expected {kind}");
        return element;
    }

    private static long Offset(string path, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long offset) || offset < 0)
            throw new DataFormatException(path, $"{field} data_offsets",
                $"{value.GetRawText()} is not a non-negative integer byte offset");
        return offset;
    }

    private static void CheckTiling(string path, SafetensorsEntry[] entries, long dataLength)
    {
        long cursor = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < cursor)
                throw new DataFormatException(path, $"tensor '{e.Name}' data_offsets",
                    $"[{e.Begin}, {e.End}] overlaps tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            if (e.Begin > cursor)
                throw new DataFormatException(path, $"tensor '{e.Name}' data_offsets",
                    $"[{e.Begin}, {e.End}] leaves a gap of {e.Begin - cursor} byte(s) after " +
                    (previous is null ? "the start of the data section" : $"tensor '{previous.Name}' at [{previous.Begin}, {previous.End}]") +
                    "; tensors must cover the data section without gaps");
            cursor = e.End;
            previous = e;
        }
        if (cursor != dataLength)
            throw new DataFormatException(path, "data",
                $"{dataLength - cursor} byte(s) after the last tensor belong to no tensor (the header describes {cursor} of {dataLength} data bytes)");
    }

    /// <summary>
    /// A tensor as float32. F32 is read as is; F16, BF16 and F64 are converted; I32 and I64 are
    /// converted when every value is exactly representable (|v| ≤ 2^24), which covers the counters
    /// (BatchNorm's num_batches_tracked) that PyTorch stores as integers.
    /// </summary>
    public float[] ReadFloats(string name)
    {
        var entry = this[name];
        var values = new float[entry.ElementCount];
        ReadFloats(entry, values);
        return values;
    }

    /// <summary>Reads <paramref name="entry"/> as float32 into <paramref name="destination"/> (exactly its element count).</summary>
    public void ReadFloats(SafetensorsEntry entry, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        if (destination.Length != entry.ElementCount)
            throw new ArgumentException($"safetensors: tensor '{entry.Name}' has {entry.ElementCount} elements, the destination {destination.Length}");
        if (entry.DType == SafetensorsDType.F32)
        {
            ReadExactly(handle, MemoryMarshal.AsBytes(destination), dataStart + entry.Begin, Path, $"tensor '{entry.Name}'");
            return;
        }

        var raw = ReadRaw(entry);
        const double exactLimit = 1 << 24;
        switch (entry.DType)
        {
            case SafetensorsDType.F16:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(2 * i));
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i)) << 16);
                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(8 * i));
                break;
            case SafetensorsDType.I32 or SafetensorsDType.I64:
                for (int i = 0; i < destination.Length; i++)
                {
                    long v = entry.DType == SafetensorsDType.I32
                        ? BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i))
                        : BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i));
                    if (Math.Abs((double)v) > exactLimit)
                        throw new DataFormatException(Path, $"tensor '{entry.Name}'",
                            $"{entry.DType.Name()} value {v} at element {i} has no exact float32 value (|v| > 2^24)");
                    destination[i] = v;
                }
                break;
            default:
                throw new DataFormatException(Path, $"tensor '{entry.Name}' dtype",
                    $"{entry.DType.Name()} cannot be read as float32 (supported: F32, F16, BF16, F64, I32, I64)");
        }
    }

    /// <summary>An I64 or I32 tensor as 64-bit integers.</summary>
    public long[] ReadInt64(string name)
    {
        var entry = this[name];
        if (entry.DType is not (SafetensorsDType.I64 or SafetensorsDType.I32))
            throw new DataFormatException(Path, $"tensor '{name}' dtype", $"is {entry.DType.Name()}; expected I64 or I32");
        var raw = ReadRaw(entry);
        var values = new long[entry.ElementCount];
        for (int i = 0; i < values.Length; i++)
            values[i] = entry.DType == SafetensorsDType.I64
                ? BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i))
                : BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i));
        return values;
    }

    private byte[] ReadRaw(SafetensorsEntry entry)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        var raw = GC.AllocateUninitializedArray<byte>(checked((int)entry.ByteLength));
        ReadExactly(handle, raw, dataStart + entry.Begin, Path, $"tensor '{entry.Name}'");
        return raw;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, string path, string field)
    {
        try
        {
            while (destination.Length > 0)
            {
                int n = RandomAccess.Read(handle, destination, offset);
                if (n == 0)
                    throw new DataFormatException(path, field, $"the file ended early (it shrank while being read?) at byte {offset}");
                destination = destination[n..];
                offset += n;
            }
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, field, $"read failed: {e.Message}", e);
        }
    }

    private static string Preview(IEnumerable<string> names)
    {
        var list = names.Take(9).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Take(8)) + (list.Count > 8 ? ", ..." : "");
    }

    public void Dispose() => handle.Dispose();
}
