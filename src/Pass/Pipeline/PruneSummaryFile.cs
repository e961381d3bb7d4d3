using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Pass.Compute;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// summary.json: a <see cref="PruneSummary"/> as indented camelCase JSON. Reading checks every
/// field the reports divide by or print, so a damaged or hand-edited file fails here, naming the
/// file and the field, rather than as a NaN or a division by zero in a comparison table.
/// </summary>
public static class PruneSummaryFile
{
    public const string FileName = "summary.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // NaN marks a figure that was not measured; it must survive the round trip.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Refuses (ArgumentException naming the field) a summary that <see cref="Read"/> would reject.</summary>
    public static void Write(string path, PruneSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (Problem(summary) is { } p) throw new ArgumentException($"{path}: {p.Field}: {p.Problem}; the summary was not written");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(summary, Json) + "\n");
    }

    /// <summary>Malformed JSON, a missing or null field, or a value out of range is a
    /// <see cref="DataFormatException"/> naming the file and the field.</summary>
    public static PruneSummary Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file", "not found");
        PruneSummary? summary;
        try
        {
            summary = JsonSerializer.Deserialize<PruneSummary>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.Path ?? "$", $"not a prune summary: {e.Message}", e);
        }
        if (summary is null) throw new DataFormatException(path, "$", "is JSON null, not a prune summary");
        if (Problem(summary) is { } p) throw new DataFormatException(path, p.Field, p.Problem);
        return summary;
    }

    /// <summary>The first field (by its JSON path) whose value no report can use, with why.</summary>
    private static (string Field, string Problem)? Problem(PruneSummary s)
    {
        foreach (var (field, text) in new[] { ("method", s.Method), ("model", s.Model), ("data", s.Data), ("command", s.Command), ("device", s.Device) })
            if (string.IsNullOrWhiteSpace(text)) return (field, "is empty");
        if (s.Mode is not ("shared" or "union" or PruneSummary.WeightMode)) return ("mode", $"'{s.Mode}' is none of \"shared\", \"union\" and \"{PruneSummary.WeightMode}\"");
        if (s.Sparsity is null && s.FlopsTarget is null) return ("sparsity", "neither sparsity nor flopsTarget is given, so the run's budget is unknown");
        if (s.Sparsity is { } sparsity && !(sparsity >= 0 && sparsity < 1)) return ("sparsity", $"{Text(sparsity)} is outside [0, 1)");
        if (s.FlopsTarget is { } target && !(target > 0 && target <= 1)) return ("flopsTarget", $"{Text(target)} is outside (0, 1]");
        if (s.RoundChannels < 1) return ("roundChannels", $"{s.RoundChannels} is not a whole number ≥ 1");
        if ((MeasureProblem("dense", s.Dense) ?? MeasureProblem("pruned", s.Pruned)) is { } m) return m;
        if (s.MaskedMacs <= 0) return ("maskedMacs", $"{s.MaskedMacs} is not positive");
        var l = s.Latency;
        if (l.Batch < 1) return ("latency.batch", $"{l.Batch} is not positive");
        if (l.Threads < 1) return ("latency.threads", $"{l.Threads} is not positive");
        if (l.Warmup < 0) return ("latency.warmup", $"{l.Warmup} is negative");
        if (l.Repetitions < 1) return ("latency.repetitions", $"{l.Repetitions} is not positive");
        if (s.Compute is { } compute && ComputeProblem(compute) is { } c) return c;
        if (s.Layers.Count == 0) return ("layers", "is empty");
        for (int i = 0; i < s.Layers.Count; i++)
        {
            if (s.Layers[i] is not { } layer) return ($"layers[{i}]", "is null");
            if (string.IsNullOrWhiteSpace(layer.Name)) return ($"layers[{i}].name", "is empty");
            if (layer.Channels < 1) return ($"layers[{i}].channels", $"{layer.Channels} is not positive ({layer.Name})");
            if (layer.Kept < 0 || layer.Kept > layer.Channels)
                return ($"layers[{i}].kept", $"{layer.Kept} is outside [0, {layer.Channels}] ({layer.Name})");
        }
        var t = s.Stages;
        if (t.Stage1Epochs < 0) return ("stages.stage1Epochs", $"{t.Stage1Epochs} is negative");
        if (t.Stage1Images < 0) return ("stages.stage1Images", $"{t.Stage1Images} is negative");
        if (t.Stage2Epochs < 0) return ("stages.stage2Epochs", $"{t.Stage2Epochs} is negative");
        if (t.Stage1Seconds < 0) return ("stages.stage1Seconds", $"{Text(t.Stage1Seconds)} is negative");
        if (t.Stage2Seconds < 0) return ("stages.stage2Seconds", $"{Text(t.Stage2Seconds)} is negative");
        return null;
    }

    private static (string Field, string Problem)? MeasureProblem(string name, RunMeasure m)
    {
        if (!IsFraction(m.ValidationAccuracy)) return ($"{name}.validationAccuracy", $"{Text(m.ValidationAccuracy)} is not a fraction in [0, 1]");
        if (!IsFraction(m.TestAccuracy)) return ($"{name}.testAccuracy", $"{Text(m.TestAccuracy)} is not a fraction in [0, 1]");
        if (m.Macs <= 0) return ($"{name}.macs", $"{m.Macs} is not positive");
        if (m.Parameters <= 0) return ($"{name}.parameters", $"{m.Parameters} is not positive");
        if (m.LatencyMs < 0 || double.IsInfinity(m.LatencyMs)) return ($"{name}.latencyMs", $"{Text(m.LatencyMs)} is not a duration");
        return null;
    }

    /// <summary>The per-layer section divides by batch and times and needs every pruned figure.</summary>
    private static (string Field, string Problem)? ComputeProblem(ComputeProfile c)
    {
        if (c.Batch < 1) return ("compute.batch", $"{c.Batch} is not positive");
        if (c.Layers.Count == 0) return ("compute.layers", "is empty");
        if (!IsDuration(c.DenseForwardMs)) return ("compute.denseForwardMs", $"{Text(c.DenseForwardMs)} is not a duration");
        if (c.PrunedForwardMs is not { } pruned || !IsDuration(pruned)) return ("compute.prunedForwardMs", "is not a duration");
        for (int i = 0; i < c.Layers.Count; i++)
        {
            if (c.Layers[i] is not { } l) return ($"compute.layers[{i}]", "is null");
            if (string.IsNullOrWhiteSpace(l.Name)) return ($"compute.layers[{i}].name", "is empty");
            if (l.DenseMacs <= 0 || l.PrunedMacs is not > 0) return ($"compute.layers[{i}]", $"{l.Name}: dense and pruned MACs must be positive");
            if (!IsDuration(l.DenseMs) || l.PrunedMs is not { } ms || !IsDuration(ms)) return ($"compute.layers[{i}]", $"{l.Name}: dense and pruned times must be durations");
        }
        return null;
    }

    private static bool IsDuration(double ms) => ms > 0 && double.IsFinite(ms);

    /// <summary>NaN (not measured) passes: the reports print it as a dash.</summary>
    private static bool IsFraction(double v) => double.IsNaN(v) || v is >= 0 and <= 1;

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
