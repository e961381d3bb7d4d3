using SparseCore.Kernels;
using SparseCore.Kernels.Memory;
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
/// values and adds to gradients on the device (<see cref="Backend.ChannelSquares"/>,
/// <see cref="Backend.ChannelPenalty"/>) without looking layers up or reading anything back.
/// Owns the device buffer of the per-channel sums; dispose it with the penalty.
/// </summary>
internal sealed class CoupledParameters : IDisposable
{
    /// <summary>
    /// One mask's share of a parameter viewed as [Outer, Channels, Inner], its channels from
    /// concatenation position <paramref name="Offset"/>: rows are Outer = 1, a reader's columns
    /// Outer = its outputs. <paramref name="Accumulate"/> is false for the first slice of its mask,
    /// which starts the mask's chain of sums.
    /// </summary>
    private sealed record Slice(int Offset, int Outer, int Channels, int Inner, bool Accumulate);

    private readonly List<(Parameter Parameter, string Name, List<Slice> Slices)> parameters = new();
    private readonly DeviceBuffer<double> squares;

    public CoupledParameters(Module model, ChannelGraph graph, string method)
    {
        var layers = new BackboneLayers(model, graph, method);
        Graph = graph;
        Method = method;
        var offsets = new int[graph.Masks.Count];
        for (int i = 1; i < offsets.Length; i++) offsets[i] = offsets[i - 1] + graph.Masks[i - 1].Channels;
        var byParameter = new Dictionary<Parameter, List<Slice>>(ReferenceEqualityComparer.Instance);
        void Add(Parameter? p, string name, int mask, int outer = 1)
        {
            if (p is null) return;
            if (!byParameter.TryGetValue(p, out var slices))
            {
                byParameter[p] = slices = new List<Slice>();
                parameters.Add((p, name, slices));
            }
            int channels = graph.Masks[mask].Channels;
            slices.Add(new Slice(offsets[mask], outer, channels, p.Value.Size / (outer * channels), Accumulate: true));
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
        // The sums are chained in the order they are computed: parameters in order, then their slices.
        var started = new HashSet<int>();
        foreach (var (_, _, slices) in parameters)
            for (int s = 0; s < slices.Count; s++)
                slices[s] = slices[s] with { Accumulate = !started.Add(slices[s].Offset) };
        Backend = parameters[0].Parameter.Value.Backend;
        squares = Backend.Allocate<double>(graph.TotalChannels);
        // Once, for a mask no parameter touches (its sums are never written again): 0, as on the host.
        Backend.Upload<double>(new double[graph.TotalChannels], squares);
    }

    public ChannelGraph Graph { get; }

    public Backend Backend { get; }

    /// <summary>What the caller computes, for messages.</summary>
    public string Method { get; }

    /// <summary>
    /// Per channel, Σ w² over its group in double precision, computed on the device into a buffer
    /// this object owns (overwritten by the next call). Nothing is read back, so a non-finite weight
    /// is not refused here: it is the trainer's per-epoch divergence check that catches it.
    /// </summary>
    public DeviceBuffer<double> DeviceSquares()
    {
        foreach (var (p, _, slices) in parameters)
            foreach (var s in slices)
                Backend.ChannelSquares(p.Value.Buffer, s.Outer, s.Channels, s.Inner, squares, s.Offset, s.Accumulate);
        return squares;
    }

    /// <summary>
    /// <see cref="DeviceSquares"/> read back, for the rare callers (a final ranking, a log line). A
    /// non-finite value is an ArgumentException naming the parameter that holds it (found by reading
    /// the parameters back, on that error path only).
    /// </summary>
    public double[] SumSquares()
    {
        var sums = Backend.ToArray(DeviceSquares());
        if (sums.All(double.IsFinite)) return sums;
        var (_, name, _) = parameters.First(e => !e.Parameter.Value.ToArray().All(float.IsFinite));
        throw new ArgumentException($"{Method}: {name} holds a non-finite value; the network diverged");
    }

    /// <summary>
    /// Per parameter (in this object's order), whether any of its slices holds a channel flagged in
    /// <paramref name="penalised"/>: computed once by a penalty whose coefficients are zero off a fixed
    /// set of channels, so its steps skip the untouched parameters without scanning the flags again.
    /// </summary>
    public bool[] Touched(ReadOnlySpan<bool> penalised)
    {
        if (penalised.Length != Graph.TotalChannels)
            throw new ArgumentException($"{Method}: expected {Graph.TotalChannels} channel flags, got {penalised.Length}");
        var touched = new bool[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
            foreach (var s in parameters[i].Slices) touched[i] |= penalised.Slice(s.Offset, s.Channels).Contains(true);
        return touched;
    }

    /// <summary>
    /// Adds <paramref name="scale"/>·<paramref name="coefficient"/>[c]·w to the gradient of every
    /// element w of channel c's group, on the device (twice where an element is in two groups with
    /// the same coefficient, as both penalties' sums over groups have it). Call it after
    /// loss.Backward() and before the optimizer's step; frozen parameters are skipped, as the
    /// optimizer skips them, and so are those <paramref name="touched"/> (from <see cref="Touched"/>)
    /// marks false, whose coefficients are all zero; null visits every parameter.
    /// </summary>
    public void AddToGradients(DeviceBuffer<float> coefficient, float scale, bool[]? touched = null)
    {
        if (coefficient.Length != Graph.TotalChannels)
            throw new ArgumentException($"{Method}: expected {Graph.TotalChannels} coefficients, got {coefficient.Length}");
        if (touched is not null && touched.Length != parameters.Count)
            throw new ArgumentException($"{Method}: expected a flag per coupled parameter ({parameters.Count}), got {touched.Length}");
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, name, slices) = parameters[i];
            if (p.Frozen || touched is { } t && !t[i]) continue;
            var grad = p.Grad ?? throw new InvalidOperationException(
                $"{Method}: {name} has no gradient; call it after loss.Backward() and before optimizer.Step()");
            foreach (var s in slices)
                Backend.ChannelPenalty(p.Value.Buffer, grad.Buffer, coefficient, scale, s.Offset, s.Outer, s.Channels, s.Inner);
        }
    }

    public void Dispose() => squares.Dispose();
}
