using System.Diagnostics;
using SparseCore.Kernels.Random;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Pass.Pipeline;
using SparseCore.Tensors;

namespace SparseCore.Pass.Compute;

/// <summary>
/// Measures a <see cref="ComputeProfile"/>: a dense network alone, or a dense and a pruned network
/// with the same layer names (an extracted network and its backbone at full width). Each conv and
/// linear layer's forward runs alone on a fixed seeded input of the shape it meets in its network
/// (the MACs counter's shape walk, at the profile's batch): warm-up forwards, then the median of
/// timed ones, each finished on the device before the clock stops. The end-to-end forward is
/// <see cref="LatencyProbe"/>'s, dense and pruned in alternating blocks. Both networks run whole
/// forwards untimed first (JIT tiers), and dense and pruned layers are timed one after the other,
/// layer by layer, so a drift of the machine hits both alike.
/// </summary>
public static class ComputeProbe
{
    private const ulong InputSeed = 0x1A7E_C0DE;

    /// <summary>Untimed whole forwards of each network before anything is timed: at least this many, …</summary>
    private const int WarmForwards = 40;

    /// <summary>
    /// … then more until this long has passed or <see cref="MaxWarmForwards"/> have run. Why: the
    /// runtime compiles hot methods again, optimized, on a background thread for a while after they
    /// start — on two cores that thread took one from the timed forwards, and 40 forwards of a thin
    /// network (120 ms) ended long before it did: the extracted PASS network's forward measured
    /// 2.7–3.9 ms from run to run, 2.7–3.3 with the tiered compiler off, 2.75–2.94 warmed so.
    /// </summary>
    private static readonly TimeSpan WarmTime = TimeSpan.FromSeconds(2);

    /// <summary>The cap that keeps tiny networks (tests, a batch of one) from warming for seconds.</summary>
    private const int MaxWarmForwards = 600;

    /// <summary>Alternating blocks of the end-to-end forwards.</summary>
    private const int EndToEndBlocks = 5;

    /// <param name="input">The networks' input at the batch to time [N, C, H, W].</param>
    public static ComputeProfile Measure(Module dense, Module? pruned, Shape input, int warmup = 3, int repetitions = 15)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (warmup < 0) throw new ArgumentException($"compute profile: warm-up must be ≥ 0 forwards, got {warmup}", nameof(warmup));
        if (repetitions < 1) throw new ArgumentException($"compute profile: repetitions must be ≥ 1, got {repetitions}", nameof(repetitions));
        if (input.Rank < 2 || input.Size == 0) throw new ArgumentException($"compute profile: input {input} is not a non-empty batch [N, ...]", nameof(input));
        var one = WithBatch(input, 1);
        var denseLayers = Layers(dense, one);
        var prunedLayers = pruned is null ? null : Layers(pruned, one);
        if (prunedLayers is not null && !prunedLayers.Select(l => l.Cost.Name).SequenceEqual(denseLayers.Select(l => l.Cost.Name)))
            throw new ArgumentException($"compute profile: the pruned network's conv and linear layers ({Names(prunedLayers)}) are not the dense network's ({Names(denseLayers)})");
        // Whole forwards first: JIT tiering promotes a method after tens of calls, so layers timed
        // cold ran at tier 0 (the first conv measured ten times slower than warm).
        Warm(dense, input);
        if (pruned is not null) Warm(pruned, input);
        var (denseForward, prunedForward) = EndToEnd(dense, pruned, input, repetitions);
        var rows = new List<LayerCompute>();
        using (Autograd.NoGrad())
        {
            for (int i = 0; i < denseLayers.Count; i++)
            {
                var (cost, layer) = denseLayers[i];
                double denseMs = TimeLayer(layer, WithBatch(cost.Input, input[0]), warmup, repetitions);
                if (prunedLayers is null)
                {
                    rows.Add(new LayerCompute(cost.Name, cost.Kind, PerImage(cost.Input), cost.Macs, denseMs));
                    continue;
                }
                var (prunedCost, prunedLayer) = prunedLayers[i];
                double prunedMs = TimeLayer(prunedLayer, WithBatch(prunedCost.Input, input[0]), warmup, repetitions);
                rows.Add(new LayerCompute(cost.Name, cost.Kind, PerImage(prunedCost.Input), cost.Macs, denseMs, prunedCost.Macs, prunedMs));
            }
        }
        return new ComputeProfile(input[0], Environment.ProcessorCount, warmup, repetitions, rows, denseForward, prunedForward);
    }

    /// <summary>Every conv and linear layer in forward order, with its cost row for one image.</summary>
    private static List<(LayerCost Cost, Module Layer)> Layers(Module model, Shape one)
    {
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        return ModelCost.Measure(model, one).Rows
            .Where(r => r.Kind is "conv" or "linear")
            .Select(r => (r, modules.TryGetValue(r.Name, out var m) ? m
                : throw new InvalidOperationException($"compute profile: the MACs counter names a layer '{r.Name}' the network does not have")))
            .ToList();
    }

    /// <summary>
    /// The end-to-end forwards in alternating blocks, dense then pruned, each block's median, the
    /// median of those: this VM's speed drifts by tens of percent over seconds, and taking the two
    /// networks one after the other measured the drift as much as the pruning.
    /// </summary>
    private static (double Dense, double? Pruned) EndToEnd(Module dense, Module? pruned, Shape input, int repetitions)
    {
        var denseBlocks = new double[EndToEndBlocks];
        var prunedBlocks = new double[EndToEndBlocks];
        for (int b = 0; b < EndToEndBlocks; b++)
        {
            denseBlocks[b] = LatencyProbe.Measure(dense, input, 1, repetitions).MedianMs;
            if (pruned is not null) prunedBlocks[b] = LatencyProbe.Measure(pruned, input, 1, repetitions).MedianMs;
        }
        return (Median.Of(denseBlocks), pruned is null ? null : Median.Of(prunedBlocks));
    }

    private static void Warm(Module model, Shape input)
    {
        var clock = Stopwatch.StartNew();
        for (int done = 0; done < WarmForwards || clock.Elapsed < WarmTime && done < MaxWarmForwards; done += 10)
            LatencyProbe.Measure(model, input, 0, 10);
    }

    private static string Names(List<(LayerCost Cost, Module Layer)> layers) => string.Join(", ", layers.Select(l => l.Cost.Name));

    /// <summary>Median milliseconds of one layer's forward on an input of <paramref name="shape"/>.</summary>
    private static double TimeLayer(Module layer, Shape shape, int warmup, int repetitions)
    {
        var backend = layer.Parameters().First().Value.Backend;
        using var x = Tensor.Random(backend, shape, RandomDistribution.Uniform, 0f, 1f, InputSeed, stream: 0).Persist();
        for (int i = 0; i < warmup; i++) Forward(layer, x);
        var times = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Forward(layer, x);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Median.Of(times);
    }

    /// <summary>One forward, finished on the device before it returns; the scope frees its output.</summary>
    private static void Forward(Module layer, Tensor x)
    {
        using var scope = new TensorScope();
        layer.Forward(x);
        x.Backend.Synchronize();
    }

    /// <summary>"16×28×28": a batch-1 shape without its batch.</summary>
    private static string PerImage(Shape shape) => string.Join('×', shape.Dims.ToArray()[1..]);

    private static Shape WithBatch(Shape shape, int batch)
    {
        var dims = shape.Dims.ToArray();
        dims[0] = batch;
        return new Shape(dims);
    }
}
