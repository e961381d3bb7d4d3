using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// Every parameter removed with each channel of a <see cref="ChannelGraph"/>, as slices of the live
/// parameters: the output rows (weight and bias) of the mask's layers, their batch-norm γ and β, and
/// the input columns of every layer reading the mask (a Linear's InputPositions features per
/// channel) — the group <see cref="ChannelImportance.GroupL2"/> sums over. Channels are positions
/// in the masks' concatenation ([<see cref="ChannelGraph.TotalChannels"/>]). A conv's weight element
/// belongs to two groups, its output channel's and its input channel's, as in Torch-Pruning's
/// dependency groups. Built once, so that a penalty applied every step (GrowReg's, DepGraph's) reads
/// values and adds to gradients without looking layers up again.
/// </summary>
internal sealed class CoupledParameters
{
    /// <summary>
    /// One mask's share of a parameter, its channels from concatenation position <paramref name="Offset"/>:
    /// rows ([Channels, row]), or for a reader (<paramref name="Outputs"/> given) columns ([Outputs, Channels, inner]).
    /// </summary>
    private sealed record Slice(int Offset, int Channels, int? Outputs);

    private readonly List<(Parameter Parameter, string Name, List<Slice> Slices)> parameters = new();

    public CoupledParameters(Module model, ChannelGraph graph, string method)
    {
        var layers = new BackboneLayers(model, graph, method);
        Graph = graph;
        Method = method;
        var offsets = new int[graph.Masks.Count];
        for (int i = 1; i < offsets.Length; i++) offsets[i] = offsets[i - 1] + graph.Masks[i - 1].Channels;
        var byParameter = new Dictionary<Parameter, List<Slice>>(ReferenceEqualityComparer.Instance);
        void Add(Parameter? p, string name, int mask, int? outputs = null)
        {
            if (p is null) return;
            if (!byParameter.TryGetValue(p, out var slices))
            {
                byParameter[p] = slices = new List<Slice>();
                parameters.Add((p, name, slices));
            }
            slices.Add(new Slice(offsets[mask], graph.Masks[mask].Channels, outputs));
        }
        foreach (var mask in graph.Masks)
        {
            foreach (var layer in mask.Layers.Select(graph.Layer))
            {
                Add(layers.WeightParameter(layer), $"'{layer.Name}' weight", mask.Id);
                Add(layers.BiasParameter(layer), $"'{layer.Name}' bias", mask.Id);
                Add(layers.Norm(layer)?.Weight, $"γ of '{layer.Norm}'", mask.Id);
                Add(layers.Norm(layer)?.Bias, $"β of '{layer.Norm}'", mask.Id);
            }
            foreach (var reader in graph.Layers.Where(l => l.InputMask == mask.Id))
                Add(layers.WeightParameter(reader), $"'{reader.Name}' weight", mask.Id, reader.OutChannels);
        }
    }

    public ChannelGraph Graph { get; }

    /// <summary>What the caller computes, for messages.</summary>
    public string Method { get; }

    /// <summary>Per channel, Σ w² over its group, in double precision. A non-finite value is an ArgumentException naming the parameter.</summary>
    public double[] SumSquares()
    {
        var sums = new double[Graph.TotalChannels];
        foreach (var (p, name, slices) in parameters)
        {
            var w = p.Value.ToArray();
            if (!w.All(float.IsFinite)) throw new ArgumentException($"{Method}: {name} holds a non-finite value; the network diverged");
            foreach (var slice in slices) Visit(slice, w.Length, (k, c) => sums[c] += (double)w[k] * w[k]);
        }
        return sums;
    }

    /// <summary>
    /// Adds <paramref name="coefficient"/>[c]·w to the gradient of every element w of channel c's
    /// group (twice the coefficient where an element is in two groups with the same coefficient, as
    /// both penalties' sums over groups have it). Call it after loss.Backward() and before the
    /// optimizer's step; frozen parameters are skipped, as the optimizer skips them, and so are
    /// parameters none of whose channels has a nonzero coefficient.
    /// </summary>
    public void AddToGradients(ReadOnlySpan<float> coefficient)
    {
        if (coefficient.Length != Graph.TotalChannels)
            throw new ArgumentException($"{Method}: expected {Graph.TotalChannels} coefficients, got {coefficient.Length}");
        var c = coefficient.ToArray();
        foreach (var (p, name, slices) in parameters)
        {
            if (p.Frozen || !slices.Any(s => c.AsSpan(s.Offset, s.Channels).ContainsAnyExcept(0f))) continue;
            var grad = p.Grad ?? throw new InvalidOperationException(
                $"{Method}: {name} has no gradient; call it after loss.Backward() and before optimizer.Step()");
            var w = p.Value.ToArray();
            var g = grad.ToArray();
            foreach (var slice in slices) Visit(slice, w.Length, (k, channel) => g[k] += c[channel] * w[k]);
            grad.Backend.Upload<float>(g, grad.Buffer);
        }
    }

    /// <summary>Calls <paramref name="visit"/>(element, concatenation position) for every element of a slice of a parameter of <paramref name="length"/> values.</summary>
    private static void Visit(Slice slice, int length, Action<int, int> visit)
    {
        if (slice.Outputs is not int outputs)
        {
            int row = length / slice.Channels;
            for (int k = 0; k < length; k++) visit(k, slice.Offset + k / row);
            return;
        }
        // [outputs, channels · inner]: element k is input channel (k / inner) mod channels.
        int inner = length / (outputs * slice.Channels);
        for (int k = 0; k < length; k++) visit(k, slice.Offset + k / inner % slice.Channels);
    }
}
