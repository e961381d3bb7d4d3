using SparseCore.Models.IO;
using SparseCore.Models.Modules;

namespace SparseCore.Pass.Masks;

/// <summary>
/// An unstructured selection on disk: weight-masks.safetensors, one 0/1 tensor per masked parameter
/// under "weight_mask.NAME" with the parameter's shape — the resume point of a weight method's run,
/// and the same tensors the pruned checkpoint carries beside its weights.
/// </summary>
public static class WeightMasks
{
    public const string FileName = "weight-masks.safetensors";
    public const string Prefix = Checkpoint.WeightMaskPrefix;

    /// <summary>Writes <paramref name="masks"/> (by parameter name of <paramref name="model"/>) atomically, with <paramref name="info"/> as its metadata.</summary>
    public static void Write(string path, Module model, IReadOnlyDictionary<string, float[]> masks, IReadOnlyDictionary<string, string> info)
    {
        var shapes = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Shape);
        var writer = new SafetensorsWriter();
        foreach (var (key, value) in info) writer.Metadata(key, value);
        foreach (var (name, values) in masks)
        {
            if (!shapes.TryGetValue(name, out var shape))
                throw new ArgumentException($"weight mask '{name}': the network has no parameter of that name");
            if (values.Length != shape.Size)
                throw new ArgumentException($"weight mask '{name}': {values.Length} values for a parameter of {shape.Size} ({shape})");
            writer.Add(Prefix + name, values, shape.Dims.ToArray());
        }
        writer.Write(path);
    }

    /// <summary>The masks in a file written by <see cref="Write"/> (or a pruned checkpoint), by parameter name (each value 0 or 1), and its metadata.</summary>
    public static (IReadOnlyDictionary<string, float[]> Masks, IReadOnlyDictionary<string, string> Info) Read(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        var masks = new Dictionary<string, float[]>();
        foreach (var entry in reader.Entries.Where(e => e.Name.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var values = new float[entry.ElementCount];
            reader.ReadFloats(entry, values);
            if (values.Any(v => v is not (0f or 1f)))
                throw new Models.Data.DataFormatException(path, $"tensor '{entry.Name}'", "holds a value other than 0 and 1; it is not a mask");
            masks[entry.Name[Prefix.Length..]] = values;
        }
        return (masks, reader.Metadata);
    }
}
