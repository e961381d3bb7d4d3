using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// Cuts the physically smaller network out of a dense backbone and its channel masks: the same
/// architecture rebuilt with per-layer widths (<see cref="LayerWidths"/>), whose parameters and
/// buffers are the kept slices of the dense ones — conv weights on output and input channels, the
/// batch-norm's γ, β and running statistics, the classifier's input features — with union mode's
/// kept-but-masked channels zeroed (weights, bias, γ and β, so the channel is exactly 0 after the
/// batch-norm, as in the masked network). Nothing in the result knows it was pruned.
/// </summary>
public static class Extractor
{
    /// <summary>
    /// Extracts a zoo backbone: the result is <see cref="ModelZoo.Create(string, ModuleInit, int, int, int, int, LayerWidths?)"/>
    /// of <paramref name="description"/> with the kept widths, and carries the description a
    /// checkpoint needs to rebuild it. A <see cref="PromptedModel"/> is extracted without its prompt.
    /// </summary>
    public static ExtractedNetwork Extract(Module dense, ModelDescription description, IReadOnlyList<float[]> masks, ResidualMode mode)
    {
        ArgumentNullException.ThrowIfNull(description);
        var backend = BackendOf(dense);
        var input = new Shape(1, description.Channels, description.Height, description.Width);
        var result = Extract(dense, masks, mode, input, widths => ModelZoo.Create(description.Name, ModuleInit.Undrawn(backend),
            description.Channels, description.Height, description.Width, description.Classes, widths));
        return new ExtractedNetwork(result.Model, result.Widths, description with { Widths = result.Widths.ToString() },
            result.Plan, result.ZeroedRows, result.MaskedMacs, result.ExtractedMacs, result.DenseMacs);
    }

    /// <summary>
    /// Extracts with a custom <paramref name="build"/> (a backbone the zoo does not name, such as a
    /// CIFAR ResNet with conv shortcuts); <paramref name="input"/> is the shape the MACs are counted for.
    /// </summary>
    public static ExtractedNetwork Extract(Module dense, IReadOnlyList<float[]> masks, ResidualMode mode, Shape input, Func<LayerWidths, Module> build)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(build);
        if (dense is PromptedModel prompted) dense = prompted.Backbone;
        var graph = ChannelGraph.Of(dense);
        var plan = ChannelPlan.Build(graph, masks, mode);
        var widths = new LayerWidths(graph.Layers.Where(l => l.Kind == LayerKind.Conv)
            .Select(l => KeyValuePair.Create(l.Name, plan.Outputs(l.Name).Count)));

        var model = build(widths);
        try
        {
            var zeroedRows = CopySlices(dense, model, plan);
            model.Train(dense.Training);
            long denseMacs = ModelCost.Measure(dense, input).Macs;
            long maskedMacs = ModelCost.Measure(dense, input, MaskedWidths(plan)).Macs;
            long extractedMacs = ModelCost.Measure(model, input).Macs;
            return new ExtractedNetwork(model, widths, null, plan, zeroedRows, maskedMacs, extractedMacs, denseMacs);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Each prunable layer's own kept channels, and for a zero-padding shortcut the channels its
    /// stream really carries in the masked network (its writers' and the carried ones), which the
    /// counter could not know from the convs alone.
    /// </summary>
    private static Dictionary<string, int> MaskedWidths(ChannelPlan plan)
    {
        var widths = plan.MaskedWidths.ToDictionary();
        foreach (var group in plan.Graph.Groups)
            if (group.PaddingShortcut is string shortcut) widths[shortcut] = plan.Outputs(group.Writers[0]).Count;
        return widths;
    }

    private static SparseCore.Kernels.Backend BackendOf(Module model) =>
        model.Parameters().FirstOrDefault()?.Value.Backend
        ?? throw new ArgumentException("extraction: the dense model has no parameters");

    /// <summary>Fills <paramref name="model"/> with the kept slices; returns the row masks of the parameters it zeroed rows of (<see cref="ExtractedNetwork.ZeroedRows"/>).</summary>
    private static Dictionary<string, float[]> CopySlices(Module dense, Module model, ChannelPlan plan)
    {
        var zeroedRows = new Dictionary<string, float[]>();
        var source = dense.NamedParameters().Select(p => (p.Name, Tensor: p.Parameter.Value))
            .Concat(dense.NamedBuffers().Select(b => (b.Name, Tensor: b.Buffer)))
            .ToDictionary(e => e.Name, e => e.Tensor);
        var layers = plan.Graph.Layers.ToDictionary(l => l.Name);
        var norms = plan.Graph.Layers.Where(l => l.Norm is not null).ToDictionary(l => l.Norm!, l => l.Name);

        var targets = model.NamedParameters().Select(p => (p.Name, Tensor: p.Parameter.Value))
            .Concat(model.NamedBuffers().Select(b => (b.Name, Tensor: b.Buffer)));
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var from))
                throw new InvalidOperationException($"extraction: the extracted model has '{name}', which the dense model lacks");
            int dot = name.LastIndexOf('.');
            string owner = dot < 0 ? "" : name[..dot], local = name[(dot + 1)..];
            float[] values;
            if (layers.ContainsKey(owner))
            {
                var rows = plan.Outputs(owner);
                values = local == "weight" ? Slice(from, rows, plan.Inputs(owner)) : Slice(from, rows, null);
                if (Zero(values, rows, plan.Zeroed(owner), values.Length / rows.Count) is { } kept) zeroedRows[name] = kept;
            }
            else if (norms.TryGetValue(owner, out string? conv) && from.Shape.Rank == 1)
            {
                var rows = plan.Outputs(conv);
                values = Slice(from, rows, null);
                if (local is "weight" or "bias" && Zero(values, rows, plan.Zeroed(conv), 1) is { } kept) zeroedRows[name] = kept;
            }
            else
            {
                values = from.ToArray();
            }
            if (values.Length != target.Size)
                throw new InvalidOperationException($"extraction: '{name}' of the extracted model is {target.Shape}, but the kept slice has {values.Length} values");
            target.Backend.Upload<float>(values, target.Buffer);
        }
        return zeroedRows;
    }

    /// <summary>Rows (axis 0) and, when given, columns (axis 1) of a tensor, in the lists' orders.</summary>
    private static float[] Slice(Tensor from, IReadOnlyList<int> rows, IReadOnlyList<int>? columns)
    {
        var data = from.ToArray();
        int width = from.Shape.Rank > 1 ? from.Shape[1] : 1;
        int inner = from.Shape.Rank > 2 ? from.Shape.Product(2, from.Shape.Rank) : 1;
        var cols = columns ?? Enumerable.Range(0, width).ToArray();
        var result = new float[rows.Count * cols.Count * inner];
        int k = 0;
        foreach (int r in rows)
            foreach (int c in cols)
            {
                Array.Copy(data, ((long)r * width + c) * inner, result, k, inner);
                k += inner;
            }
        return result;
    }

    /// <summary>
    /// Zeroes the rows of <paramref name="values"/> (laid out in <paramref name="rows"/>' order) that
    /// hold <paramref name="channels"/>; returns the 0/1 row mask (0 on a zeroed row), or null when
    /// nothing was zeroed.
    /// </summary>
    private static float[]? Zero(float[] values, IReadOnlyList<int> rows, IReadOnlyList<int> channels, int rowSize)
    {
        if (channels.Count == 0) return null;
        var position = rows.Select((c, i) => (c, i)).ToDictionary(e => e.c, e => e.i);
        var kept = Enumerable.Repeat(1f, rows.Count).ToArray();
        foreach (int c in channels)
        {
            Array.Clear(values, position[c] * rowSize, rowSize);
            kept[position[c]] = 0f;
        }
        return kept;
    }
}
