using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Tensors;

namespace SparseCore.Models.IO;

/// <summary>
/// Saves and restores a training run as one safetensors file.
/// <para>
/// Tensors: the model's parameters and buffers under their torchvision names (so the file loads
/// into PyTorch's <c>load_state_dict</c> and back), and the optimizer's state as
/// <c>optimizer.&lt;parameter name&gt;.&lt;slot&gt;</c> with torch.optim's slot names (a second
/// or third optimizer's under <c>optimizer1.</c>, <c>optimizer2.</c>).
/// </para>
/// <para>
/// Metadata keys: <c>format</c>; <c>model</c>, <c>model.channels</c>, <c>model.height</c>,
/// <c>model.width</c>, <c>model.classes</c>, <c>model.widths</c> (LayerWidths text), <c>model.prompt</c> (a visual prompt's spec),
/// <c>model.prompt_at_test</c> ("false" when the network is tested without its prompt), <c>model.label_map</c> (source class per target class);
/// <c>input.mean</c> and <c>input.std</c> (per channel, with every model: see <see cref="InputNormalization"/>);
/// <c>split.seed</c>, <c>split.validation</c>, <c>split.of</c> (the validation split, see <see cref="ValidationSplit"/>); <c>epoch</c>,
/// <c>global_step</c>, <c>seed</c>; <c>optimizer</c> (its type) and <c>optimizer.step_count</c>;
/// <c>history</c> (the epoch metrics as JSON, without wall-clock times); <c>settings.&lt;key&gt;</c> for each run setting;
/// <c>dropout.&lt;module name&gt;.calls</c> for each dropout layer, whose mask stream advances per
/// forward — restored so that a resumed run draws the masks the uninterrupted one would have.
/// </para>
/// <para>
/// Loading is strict, as PyTorch's is by default: every parameter and buffer must be present with
/// its exact shape, and a tensor outside the optimizer namespace that the model does not have is an
/// error — except <c>*.num_batches_tracked</c>, PyTorch's BatchNorm step counter, which is skipped
/// when the model keeps no such buffer, loaded from its I64 form when it does, and set to 0 when the
/// file lacks it (as PyTorch's loader allows). All of this is
/// checked before anything is changed, so a rejected file leaves the model and optimizer as they were.
/// </para>
/// </summary>
public static class Checkpoint
{
    public const string Format = "sparsecore-checkpoint-1";
    public const string LastFileName = "last.safetensors";

    /// <summary>
    /// Tensors named "weight_mask.PARAMETER" hold an unstructured selection's 0/1 masks beside the
    /// (already masked) weights; a model loaded without claiming them ignores them, as it ignores optimizer state.
    /// </summary>
    public const string WeightMaskPrefix = "weight_mask.";

    private const string BatchCounterSuffix = "num_batches_tracked";

    private static readonly JsonSerializerOptions HistoryJson = new()
    {
        // A diverged run's NaN loss must still be recorded, not make the save fail.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Save(string path, Module model, Optimizer? optimizer = null, CheckpointInfo? info = null) =>
        Save(path, CheckpointState.Of(model), optimizer is null ? [] : [optimizer], info);

    /// <summary>Saves a model trained by several optimizers: see <see cref="Save(string, CheckpointState, IReadOnlyList{Optimizer}, CheckpointInfo?)"/>.</summary>
    public static void Save(string path, Module model, IReadOnlyList<Optimizer> optimizers, CheckpointInfo? info = null) =>
        Save(path, CheckpointState.Of(model), optimizers, info);

    /// <summary>
    /// Saves a model trained by several optimizers (parameter groups with different rules, as PASS's
    /// stage 1 has): the first one's state and metadata use the plain <c>optimizer</c> prefix, the
    /// i-th's <c>optimizer{i}</c>, so a single-optimizer file reads the same either way.
    /// </summary>
    public static void Save(string path, CheckpointState state, IReadOnlyList<Optimizer> optimizers, CheckpointInfo? info = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(optimizers);
        info ??= new CheckpointInfo();
        var writer = new SafetensorsWriter();
        foreach (var (name, p) in state.Parameters) writer.Add(name, p.Value);
        foreach (var (name, b) in state.Buffers) writer.Add(name, b);
        var names = ParameterNames(state);
        for (int i = 0; i < optimizers.Count; i++)
        {
            var optimizer = optimizers[i];
            string key = OptimizerKey(i);
            foreach (var p in optimizer.Parameters)
            {
                if (!names.TryGetValue(p, out string? name))
                    throw new ArgumentException($"checkpoint: the optimizer updates a parameter '{p.Name}' {p.Value.Shape} that the model does not own");
                if (!optimizer.State.TryGetValue(p, out var slots))
                    continue; // never stepped (frozen, or no gradient yet): a fresh optimizer has no state either
                for (int slot = 0; slot < slots.Length; slot++)
                    writer.Add($"{key}.{name}.{optimizer.StateNames[slot]}", slots[slot]);
            }
            writer.Metadata(key, optimizer.GetType().Name);
            writer.Metadata($"{key}.step_count", Text(optimizer.StepCount));
        }
        foreach (var (key, value) in Encode(info)) writer.Metadata(key, value);
        foreach (var (name, dropout) in state.Dropouts) writer.Metadata(DropoutKey(name), dropout.Calls.ToString(CultureInfo.InvariantCulture));
        writer.Write(path);
    }

    /// <summary>The header of the checkpoint at <paramref name="path"/>, without reading any tensor.</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return Decode(reader.Path, reader.Metadata);
    }

    /// <summary>
    /// Loads the checkpoint into <paramref name="model"/> (and, if given, <paramref name="optimizer"/>,
    /// which must be of the type that saved it) and returns its header.
    /// </summary>
    public static CheckpointInfo Load(string path, Module model, Optimizer? optimizer = null) =>
        Load(path, CheckpointState.Of(model), optimizer is null ? [] : [optimizer]);

    /// <summary>Loads a model trained by several optimizers, in the order they were saved.</summary>
    public static CheckpointInfo Load(string path, Module model, IReadOnlyList<Optimizer> optimizers) =>
        Load(path, CheckpointState.Of(model), optimizers);

    /// <summary>Loads a file written by <see cref="Save(string, CheckpointState, IReadOnlyList{Optimizer}, CheckpointInfo?)"/> into the same named tensors, with the same optimizers in the same order.</summary>
    public static CheckpointInfo Load(string path, CheckpointState state, IReadOnlyList<Optimizer> optimizers)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(optimizers);
        using var reader = SafetensorsReader.Open(path);
        var info = Decode(reader.Path, reader.Metadata);
        var targets = new List<(SafetensorsEntry Entry, Tensor Target)>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, p) in state.Parameters) targets.Add((Match(reader, name, p.Value, "parameter"), p.Value));
        var absentCounters = new List<Tensor>();
        foreach (var (name, b) in state.Buffers)
        {
            // PyTorch's own loader accepts a batch-norm without its step counter; so does this one.
            if (name.EndsWith("." + BatchCounterSuffix, StringComparison.Ordinal) && !reader.Contains(name)) absentCounters.Add(b);
            else targets.Add((Match(reader, name, b, "buffer"), b));
        }
        foreach (var (entry, _) in targets) claimed.Add(entry.Name);
        var optimizerStates = optimizers.Select((o, i) => MatchOptimizer(reader, state, o, OptimizerKey(i), claimed)).ToList();
        var unexpected = reader.Entries
            .Where(e => !claimed.Contains(e.Name) && !IsOptimizerState(e.Name) && !e.Name.StartsWith(WeightMaskPrefix, StringComparison.Ordinal)
                        && !e.Name.EndsWith("." + BatchCounterSuffix, StringComparison.Ordinal))
            .Select(e => e.Name).ToList();
        if (unexpected.Count > 0)
            throw new DataFormatException(reader.Path, $"tensor '{unexpected[0]}'",
                $"unexpected: the model has no parameter or buffer of that name ({unexpected.Count} such tensor(s): " +
                $"{string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", ..." : "")}); is this a checkpoint of another architecture or width?");
        for (int i = 0; i < optimizers.Count; i++)
        {
            if (optimizerStates[i] is not { } optimizerState) continue;
            foreach (var (p, slots) in optimizerState.Slots)
            {
                var values = optimizers[i].StateOf(p);
                for (int slot = 0; slot < slots.Length; slot++) targets.Add((slots[slot], values[slot]));
            }
            optimizers[i].StepCount = optimizerState.StepCount;
        }
        var dropoutCalls = state.Dropouts.Select(d => (d.Dropout, Calls: DropoutCalls(reader, d.Name))).ToList();
        foreach (var (dropout, calls) in dropoutCalls) dropout.Calls = calls;
        foreach (var (entry, target) in targets)
        {
            var values = new float[entry.ElementCount];
            reader.ReadFloats(entry, values);
            target.Backend.Upload<float>(values, target.Buffer);
        }
        foreach (var counter in absentCounters) counter.Backend.Upload<float>(new float[counter.Shape.Size], counter.Buffer);
        return info;
    }

    private static SafetensorsEntry Match(SafetensorsReader reader, string name, Tensor target, string kind) =>
        Match(reader, name, target.Shape, kind);

    private static SafetensorsEntry Match(SafetensorsReader reader, string name, Shape shape, string kind)
    {
        if (!reader.TryGet(name, out var entry))
            throw new DataFormatException(reader.Path, $"tensor '{name}'",
                $"missing: the model's {kind} {shape} is not in the file");
        if (!entry.Shape.AsSpan().SequenceEqual(shape.Dims))
            throw new DataFormatException(reader.Path, $"tensor '{name}' shape",
                $"the file has {entry.ShapeText}, the model's {kind} is {shape}");
        if (entry.DType is not (SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64
            or SafetensorsDType.I32 or SafetensorsDType.I64))
            throw new DataFormatException(reader.Path, $"tensor '{name}' dtype",
                $"{entry.DType.Name()} cannot be loaded into the model's float32 {kind}");
        return entry;
    }

    /// <summary>Checks the optimizer's tensors without touching the optimizer; returns what to load.</summary>
    private static (List<(Parameter Parameter, SafetensorsEntry[] Slots)> Slots, int StepCount)? MatchOptimizer(
        SafetensorsReader reader, CheckpointState state, Optimizer optimizer, string key, HashSet<string> claimed)
    {
        if (!reader.Metadata.TryGetValue(key, out string? kind))
        {
            if (reader.Entries.Any(e => e.Name.StartsWith(key + ".", StringComparison.Ordinal)))
                throw new DataFormatException(reader.Path, $"__metadata__.{key}",
                    "missing, yet the file holds optimizer tensors: which optimizer wrote them is unknown");
            return null; // a weights-only file: the optimizer starts fresh
        }
        if (kind != optimizer.GetType().Name)
            throw new DataFormatException(reader.Path, $"__metadata__.{key}",
                $"the file holds {kind} state; it cannot be loaded into {optimizer.GetType().Name}");
        int stepCount = Integer(reader.Path, reader.Metadata, $"{key}.step_count") ?? 0;

        var names = ParameterNames(state);
        var result = new List<(Parameter, SafetensorsEntry[])>();
        foreach (var p in optimizer.Parameters)
        {
            if (!names.TryGetValue(p, out string? name))
                throw new ArgumentException($"checkpoint: the optimizer updates a parameter '{p.Name}' {p.Value.Shape} that the model does not own");
            var slots = optimizer.StateNames.Select(s => $"{key}.{name}.{s}").ToArray();
            int present = slots.Count(reader.Contains);
            if (present == 0)
                continue; // the saved optimizer had not stepped this parameter
            if (present < slots.Length)
                throw new DataFormatException(reader.Path, $"tensor '{slots.First(s => !reader.Contains(s))}'",
                    $"missing: the other {optimizer.GetType().Name} state of '{name}' is present, this slot is not");
            result.Add((p, slots.Select(s => Match(reader, s, p.Value.Shape, "optimizer state")).ToArray()));
            claimed.UnionWith(slots);
        }
        return (result, stepCount);
    }

    /// <summary>Optimizer state of any optimizer ("optimizer.", "optimizer1.", …): loading weights alone ignores it.</summary>
    private static bool IsOptimizerState(string name)
    {
        if (!name.StartsWith("optimizer", StringComparison.Ordinal)) return false;
        int i = "optimizer".Length;
        while (i < name.Length && char.IsAsciiDigit(name[i])) i++;
        return i < name.Length && name[i] == '.';
    }

    /// <summary>"optimizer" for the first optimizer, "optimizer1", "optimizer2", … for the others.</summary>
    private static string OptimizerKey(int index) => index == 0 ? "optimizer" : $"optimizer{index}";

    private static string DropoutKey(string moduleName) => $"dropout.{moduleName}.calls";

    /// <summary>A dropout layer's saved call count; 0 for files written before it had one or by PyTorch.</summary>
    private static ulong DropoutCalls(SafetensorsReader reader, string moduleName)
    {
        string key = DropoutKey(moduleName);
        if (!reader.Metadata.TryGetValue(key, out string? text)) return 0;
        return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong calls)
            ? calls : throw new DataFormatException(reader.Path, $"__metadata__.{key}", $"'{text}' is not a non-negative integer");
    }

    private static Dictionary<Parameter, string> ParameterNames(CheckpointState state)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in state.Parameters) names.TryAdd(p, name);
        return names;
    }

    private static IEnumerable<(string Key, string Value)> Encode(CheckpointInfo info)
    {
        yield return ("format", Format);
        if (info.Model is { } m)
        {
            yield return ("model", m.Name);
            yield return ("model.channels", Text(m.Channels));
            yield return ("model.height", Text(m.Height));
            yield return ("model.width", Text(m.Width));
            yield return ("model.classes", Text(m.Classes));
            if (m.Widths is not null) yield return ("model.widths", m.Widths);
            if (m.Prompt is not null) yield return ("model.prompt", m.Prompt);
            if (!m.PromptAtTest) yield return ("model.prompt_at_test", "false");
            if (m.LabelMap is not null) yield return ("model.label_map", m.LabelMap);
            var input = info.Input ?? InputNormalization.PixelUnit(m.Channels);
            yield return ("input.mean", InputNormalization.Text(input.Mean));
            yield return ("input.std", InputNormalization.Text(input.Std));
        }
        if (info.Split is { } split)
        {
            yield return ("split.seed", split.Seed.ToString(CultureInfo.InvariantCulture));
            yield return ("split.validation", Text(split.Count));
            yield return ("split.of", Text(split.Of));
        }
        yield return ("epoch", Text(info.Epoch));
        yield return ("global_step", Text(info.GlobalStep));
        if (info.Seed is long seed) yield return ("seed", seed.ToString(CultureInfo.InvariantCulture));
        yield return ("history", JsonSerializer.Serialize(info.History.Select(HistoryRow.Of), HistoryJson));
        foreach (var (key, value) in info.Settings) yield return ("settings." + key, value);
    }

    private static bool PromptAtTest(string path, IReadOnlyDictionary<string, string> metadata) =>
        metadata.GetValueOrDefault("model.prompt_at_test") switch
        {
            null or "true" => true,
            "false" => false,
            var other => throw new DataFormatException(path, "__metadata__.model.prompt_at_test", $"is '{other}'; expected true or false"),
        };

    private static CheckpointInfo Decode(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue("format", out string? format) && format != Format)
            throw new DataFormatException(path, "__metadata__.format", $"is '{format}'; this version reads '{Format}'");

        ModelDescription? model = null;
        if (metadata.TryGetValue("model", out string? name))
        {
            int Dimension(string key) => Integer(path, metadata, key)
                ?? throw new DataFormatException(path, $"__metadata__.{key}", $"missing; it is required with model '{name}'");
            model = new ModelDescription(name, Dimension("model.channels"), Dimension("model.height"),
                Dimension("model.width"), Dimension("model.classes"), metadata.GetValueOrDefault("model.widths"),
                metadata.GetValueOrDefault("model.prompt"), PromptAtTest(path, metadata), metadata.GetValueOrDefault("model.label_map"));
        }

        InputNormalization? input = null;
        if (metadata.ContainsKey("input.mean") || metadata.ContainsKey("input.std"))
        {
            float[] List(string key) => metadata.TryGetValue(key, out string? text)
                ? InputNormalization.Parse(text) is { } values && values.Length == (model?.Channels ?? values.Length) ? values
                    : throw new DataFormatException(path, $"__metadata__.{key}", $"'{text}' is not one finite number per input channel")
                : throw new DataFormatException(path, $"__metadata__.{key}", "missing; input.mean and input.std come together");
            input = new InputNormalization(List("input.mean"), List("input.std"));
        }

        ValidationSplit? split = null;
        if (metadata.ContainsKey("split.seed"))
        {
            int Count(string key) => Integer(path, metadata, key)
                ?? throw new DataFormatException(path, $"__metadata__.{key}", "missing; it is required with split.seed");
            split = new ValidationSplit(Long(path, metadata, "split.seed")!.Value, Count("split.validation"), Count("split.of"));
            if (split.Count > split.Of)
                throw new DataFormatException(path, "__metadata__.split.validation", $"{split.Count} validation images of a training set of {split.Of}");
        }

        return new CheckpointInfo
        {
            Model = model,
            Input = input,
            Split = split,
            Epoch = Integer(path, metadata, "epoch") ?? 0,
            GlobalStep = Integer(path, metadata, "global_step") ?? 0,
            Seed = Long(path, metadata, "seed"),
            History = Json<HistoryRow[]>(path, metadata, "history")?.Select(r => r.ToMetrics()).ToArray() ?? [],
            Settings = metadata.Where(kv => kv.Key.StartsWith("settings.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key["settings.".Length..], kv => kv.Value, StringComparer.Ordinal),
        };
    }

    private static long? Long(string path, IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out string? text)) return null;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value : throw new DataFormatException(path, $"__metadata__.{key}", $"'{text}' is not an integer");
    }

    private static int? Integer(string path, IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out string? text))
            return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new DataFormatException(path, $"__metadata__.{key}", $"'{text}' is not a non-negative integer");
    }

    private static T? Json<T>(string path, IReadOnlyDictionary<string, string> metadata, string key) where T : class
    {
        if (!metadata.TryGetValue(key, out string? text))
            return null;
        try
        {
            return JsonSerializer.Deserialize<T>(text, HistoryJson)
                ?? throw new DataFormatException(path, $"__metadata__.{key}", "is JSON null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"__metadata__.{key}", $"invalid JSON: {e.Message}", e);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// An epoch's metrics as the checkpoint keeps them: without wall-clock time, so that two identical
    /// runs write identical files (metrics.csv has the times). Files written before carry the times;
    /// they are read when present.
    /// </summary>
    private sealed record HistoryRow(int Epoch, double TrainLoss, double TrainAccuracy, double? EvalLoss, double? EvalAccuracy,
                                     double LearningRate, double? Seconds = null, double? SamplesPerSecond = null)
    {
        public static HistoryRow Of(EpochMetrics m) =>
            new(m.Epoch, m.TrainLoss, m.TrainAccuracy, m.EvalLoss, m.EvalAccuracy, m.LearningRate);

        public EpochMetrics ToMetrics() =>
            new(Epoch, TrainLoss, TrainAccuracy, EvalLoss, EvalAccuracy, LearningRate, Seconds ?? 0, SamplesPerSecond ?? 0);
    }
}
