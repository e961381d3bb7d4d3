namespace SparseCore.Models.Data;

/// <summary>
/// The decoded contents of one IDX file: its dimensions (outermost first, as stored) and its raw
/// element bytes in file order. Bytes, not floats: the caller knows whether they are pixels to
/// scale or labels to keep as integers, and a 60k×28×28 set is 47 MB as bytes versus 188 MB as floats.
/// </summary>
public sealed class IdxFile
{
    internal IdxFile(string path, byte dataType, int[] dimensions, byte[] data)
    {
        Path = path;
        DataType = dataType;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file this was read from, kept so later validation errors can name it.</summary>
    public string Path { get; }

    /// <summary>The IDX type code (0x08 = unsigned byte).</summary>
    public byte DataType { get; }

    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Element bytes, length = product of <see cref="Dimensions"/> × element size.</summary>
    public byte[] Data { get; }

    public int Rank => Dimensions.Count;
}
