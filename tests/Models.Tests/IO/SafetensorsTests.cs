using System.Buffers.Binary;
using System.Text;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Tests.Data;
using SparseCore.Tensors;
using static SparseCore.Models.Tests.IO.SafetensorsFiles;

namespace SparseCore.Models.Tests.IO;

public class SafetensorsTests
{
    [Fact]
    public void RoundTripKeepsValuesShapesDtypesAndMetadata()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        var weights = Enumerable.Range(0, 15).Select(i => i * 0.37f - 2f).ToArray();
        using var tensor = Tensor.FromArray(backend, weights, new Shape(3, 5));
        string path = Path.Combine(temp.Path, "a.safetensors");
        new SafetensorsWriter()
            .Add("layer.weight", tensor)
            .Add("bias", new[] { float.NaN, float.NegativeInfinity, -0f }, 3)
            .Add("steps", new long[] { 1L << 40 }, [])
            .Add("ids", new[] { -7, 9 }, 2)
            .Add("empty", Array.Empty<float>(), 0, 4)
            .Metadata("epoch", "3").Metadata("note", "ünïcödé \"quoted\"")
            .Write(path);

        using var reader = SafetensorsReader.Open(path);
        Assert.Equal(weights, reader.ReadFloats("layer.weight"));
        Assert.Equal([3, 5], reader["layer.weight"].Shape);
        Assert.Equal(new[] { float.NaN, float.NegativeInfinity, -0f }.Select(BitConverter.SingleToInt32Bits),
            reader.ReadFloats("bias").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal([1L << 40], reader.ReadInt64("steps"));
        Assert.Empty(reader["steps"].Shape);
        Assert.Equal(SafetensorsDType.I32, reader["ids"].DType);
        Assert.Equal([-7L, 9L], reader.ReadInt64("ids"));
        Assert.Equal([-7f, 9f], reader.ReadFloats("ids"));
        Assert.Empty(reader.ReadFloats("empty"));
        Assert.Equal("3", reader.Metadata["epoch"]);
        Assert.Equal("ünïcödé \"quoted\"", reader.Metadata["note"]);

        var bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal((byte)'{', bytes[8]);
    }

    [Fact]
    public void OutputIsTheSameWhateverTheOrderOfAdding()
    {
        var a = new SafetensorsWriter().Add("b", new[] { 1f }, 1).Add("a", new[] { 2f, 3f }, 2).Metadata("y", "1").Metadata("x", "2");
        var b = new SafetensorsWriter().Metadata("x", "2").Add("a", new[] { 2f, 3f }, 2).Metadata("y", "1").Add("b", new[] { 1f }, 1);
        Assert.Equal(Bytes(a), Bytes(b));
        // Sorted names, data in the same order: "a" first.
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", Encoding.UTF8.GetString(Bytes(a)));
    }

    private static byte[] Bytes(SafetensorsWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    [Fact]
    public void ReadsAFileWrittenByHandAsPythonSafetensorsLaysItOut()
    {
        using var temp = new TempFolder();
        // What safetensors.torch.save_file writes for {"bn.num_batches_tracked": tensor(7), "fc.weight": 2×2 floats}.
        string header = "{\"__metadata__\":{\"format\":\"pt\"}," +
                        "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
                        F32("fc.weight", "[2,2]", 8, 24) + "}";
        string path = temp.Write("torch.safetensors", Encode(header, [.. Int64s(7), .. Floats(1.5f, -2f, 0.25f, 3e-8f)]));

        using var reader = SafetensorsReader.Open(path);
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal([7L], reader.ReadInt64("bn.num_batches_tracked"));
        Assert.Equal([7f], reader.ReadFloats("bn.num_batches_tracked"));
        Assert.Equal([1.5f, -2f, 0.25f, 3e-8f], reader.ReadFloats("fc.weight"));
        Assert.Equal(["bn.num_batches_tracked", "fc.weight"], reader.Entries.Select(e => e.Name));
    }

    [Fact]
    public void ConvertsHalfBfloatAndDouble()
    {
        using var temp = new TempFolder();
        var data = new byte[2 + 2 + 8];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)1.5f);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(-3.25f) >> 16));
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(4), 0.125);
        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}," +
                        "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}," +
                        "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
        using var reader = SafetensorsReader.Open(temp.Write("x.safetensors", Encode(header, data)));
        Assert.Equal([1.5f], reader.ReadFloats("h"));
        Assert.Equal([-3.25f], reader.ReadFloats("b"));
        Assert.Equal([0.125f], reader.ReadFloats("d"));
    }

    public static TheoryData<string, byte[], string, string> BadFiles => new()
    {
        { "too short", [1, 2, 3], "header length", "8-byte header length" },
        { "length past the end", Encode("{}", Floats(1, 2), headerLength: 1000), "header length", "past the end of the file" },
        { "invalid JSON", Encode("{\"a\": {\"dtype\": ", []), "header", "invalid JSON" },
        { "not an object", Encode("[1, 2]", []), "header", "not an object" },
        { "offsets out of range", Encode("{" + F32("a", "[4]", 0, 16) + "}", Floats(1, 2)), "tensor 'a' data_offsets", "out of range" },
        { "offsets reversed", Encode("{" + F32("a", "[0]", 8, 4) + "}", Floats(1, 2)), "tensor 'a' data_offsets", "ends before it begins" },
        { "overlap", Encode("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[2]", 4, 12) + "}", Floats(1, 2, 3)), "tensor 'b' data_offsets", "overlaps tensor 'a'" },
        { "gap", Encode("{" + F32("a", "[1]", 0, 4) + "," + F32("b", "[1]", 8, 12) + "}", Floats(1, 2, 3)), "tensor 'b' data_offsets", "gap of 4 byte(s)" },
        { "trailing data", Encode("{" + F32("a", "[1]", 0, 4) + "}", Floats(1, 2)), "data", "4 byte(s) after the last tensor" },
        { "unknown dtype", Encode("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1)), "tensor 'a' dtype", "unknown dtype 'Q4'" },
        { "size disagrees", Encode("{" + F32("a", "[3]", 0, 8) + "}", Floats(1, 2)), "tensor 'a' shape", "needs 12 bytes" },
        { "huge shape", Encode("{" + F32("a", "[65536,65536,65536]", 0, 8) + "}", Floats(1, 2)), "tensor 'a' shape", "needs more than 8 bytes" },
        { "negative dimension", Encode("{" + F32("a", "[-1]", 0, 4) + "}", Floats(1)), "tensor 'a' shape", "dimension 0 is -1" },
        { "missing dtype", Encode("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1)), "tensor 'a' dtype", "missing" },
        { "one offset", Encode("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", Floats(1)), "tensor 'a' data_offsets", "[begin, end]" },
        { "metadata not strings", Encode("{\"__metadata__\":{\"epoch\":3}}", []), "__metadata__.epoch", "must be strings" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFileNamesFileAndField(string name, byte[] bytes, string field, string problem)
    {
        using var temp = new TempFolder();
        string path = temp.Write(name.Replace(' ', '-') + ".safetensors", bytes);
        var e = Assert.Throws<DataFormatException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Equal(path, e.Path);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"{path}: {field}: ", e.Message);
    }

    [Fact]
    public void MissingTensorAndMissingFileNameTheFile()
    {
        using var temp = new TempFolder();
        string path = temp.Write("one.safetensors", Encode("{" + F32("a", "[1]", 0, 4) + "}", Floats(1)));
        using var reader = SafetensorsReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadFloats("b"));
        Assert.Equal((path, "tensor 'b'"), (e.Path, e.Field));
        Assert.Contains("it holds 1: a", e.Problem);

        string absent = Path.Combine(temp.Path, "absent.safetensors");
        Assert.Equal((absent, "file"), Catch(() => SafetensorsReader.Open(absent)));
    }

    [Fact]
    public void IntegerTooLargeForFloatIsRefused()
    {
        using var temp = new TempFolder();
        string header = "{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        string path = temp.Write("big.safetensors", Encode(header, Int64s((1L << 24) + 1)));
        using var reader = SafetensorsReader.Open(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadFloats("n"));
        Assert.Equal((path, "tensor 'n'"), (e.Path, e.Field));
        Assert.Contains("no exact float32 value", e.Problem);
    }

    [Fact]
    public void FailedWriteLeavesNoFileAndKeepsTheOldOne()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, "w.safetensors");
        var gone = Tensor.FromArray(backend, new float[] { 1, 2 }, new Shape(2));
        var writer = new SafetensorsWriter().Add("a", new[] { 5f }, 1).Add("b", gone);
        gone.Dispose(); // the download of "b" now fails after the header and "a" are written

        Assert.Throws<ObjectDisposedException>(() => writer.Write(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));

        new SafetensorsWriter().Add("old", new[] { 9f }, 1).Write(path);
        Assert.Throws<ObjectDisposedException>(() => writer.Write(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
        using var reader = SafetensorsReader.Open(path);
        Assert.Equal([9f], reader.ReadFloats("old"));
    }

    [Fact]
    public void WriterRejectsBadNamesAndLengths()
    {
        var writer = new SafetensorsWriter().Add("a", new[] { 1f }, 1);
        Assert.Contains("added twice", Assert.Throws<ArgumentException>(() => writer.Add("a", new[] { 1f }, 1)).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new[] { 1f }, 1)).Message);
        Assert.Contains("3 values for shape [2, 2]", Assert.Throws<ArgumentException>(() => writer.Add("c", new[] { 1f, 2f, 3f }, 2, 2)).Message);
    }

    private static (string Path, string Field) Catch(Action action)
    {
        var e = Assert.Throws<DataFormatException>(action);
        return (e.Path, e.Field);
    }
}
