namespace SparseCore.Models.IO;

/// <summary>One tensor as a safetensors header describes it; Begin/End are relative to the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, int[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public long ElementCount => ByteLength / DType.Size();

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
