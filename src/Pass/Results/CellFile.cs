using System.Text.Json;
using System.Text.Json.Serialization;
using SparseCore.Models.Data;

namespace SparseCore.Pass.Results;

/// <summary>
/// The results store's files (results/&lt;grid&gt;/grid.json and its cells' &lt;cell&gt;.json):
/// camelCase JSON, read strictly — a missing required field, an unknown one or a wrong type is a
/// <see cref="DataFormatException"/> naming the file and the field. Here rather than beside the sweep
/// that writes them, so every reader of a cell (the CLI's sweep and report, the bench's
/// `recorded-widths`) reads it one way.
/// </summary>
public static class CellFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // NaN marks a figure a run did not measure (PruneSummary's convention).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The cell at <paramref name="path"/>; a damaged one is a <see cref="DataFormatException"/> naming it.</summary>
    public static CellRecord Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file", "not found");
        CellRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<CellRecord>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.Path ?? "$", $"not a sweep cell: {e.Message}", e);
        }
        if (record is null) throw new DataFormatException(path, "$", "is JSON null, not a sweep cell");
        if (Path.GetFileNameWithoutExtension(path) != record.Cell) throw new DataFormatException(path, "cell", $"'{record.Cell}' is not the file's name");
        if (record.Match is { Holds: false } m) throw new DataFormatException(path, "match", $"{100 * m.Deviation:+0.00;−0.00;0.00} % off {m.Reference}'s MACs");
        if (record.Macs <= 0 || record.DenseMacs <= 0) throw new DataFormatException(path, "macs", "not positive");
        return record;
    }

    /// <summary>The cell as the store keeps it: indented, with a final newline.</summary>
    public static string Text(CellRecord record) => JsonSerializer.Serialize(record, Json) + "\n";
}
