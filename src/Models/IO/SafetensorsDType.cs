namespace SparseCore.Models.IO;

/// <summary>
/// The element types the safetensors format names. All of them are recognised so that any valid
/// file's layout can be checked; <see cref="SafetensorsReader"/> converts the float and integer
/// ones to what the engine holds (F32 tensors, I64/I32 counters).
/// </summary>
public enum SafetensorsDType
{
    Bool, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64,
}

public static class SafetensorsDTypes
{
    private static readonly (SafetensorsDType Type, string Name, int Size)[] Table =
    [
        (SafetensorsDType.Bool, "BOOL", 1), (SafetensorsDType.U8, "U8", 1), (SafetensorsDType.I8, "I8", 1),
        (SafetensorsDType.F8E5M2, "F8_E5M2", 1), (SafetensorsDType.F8E4M3, "F8_E4M3", 1),
        (SafetensorsDType.I16, "I16", 2), (SafetensorsDType.U16, "U16", 2), (SafetensorsDType.F16, "F16", 2),
        (SafetensorsDType.BF16, "BF16", 2), (SafetensorsDType.I32, "I32", 4), (SafetensorsDType.U32, "U32", 4),
        (SafetensorsDType.F32, "F32", 4), (SafetensorsDType.F64, "F64", 8), (SafetensorsDType.I64, "I64", 8),
        (SafetensorsDType.U64, "U64", 8),
    ];

    /// <summary>The name the header uses ("F32", "BF16", "F8_E4M3", ...).</summary>
    public static string Name(this SafetensorsDType type) => Table[(int)type].Name;

    /// <summary>Bytes per element.</summary>
    public static int Size(this SafetensorsDType type) => Table[(int)type].Size;

    public static bool TryParse(string name, out SafetensorsDType type)
    {
        foreach (var entry in Table)
        {
            if (entry.Name == name)
            {
                type = entry.Type;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>Every header name, for error messages.</summary>
    public static string KnownNames => string.Join(", ", Table.Select(e => e.Name));
}
