using SparseCore.Kernels;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Pass.Compute;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Compute;

/// <summary>
/// The compute profile on a tiny synthetic network and a narrower twin with the same layer names:
/// its MACs are the FLOPs counter's, its predicted speed-up their ratio, its layer rows and the rest
/// row add up to the end-to-end time, and a dense network alone has no pruned figures.
/// </summary>
public sealed class ComputeProbeTests : IDisposable
{
    private static readonly Shape Input = new(4, 3, 7, 7);

    private readonly Backend backend = Devices.Create("cpu");

    public void Dispose() => backend.Dispose();

    /// <summary>conv → batch-norm → ReLU → conv → ReLU → flatten → linear, the convs <paramref name="width"/> wide.</summary>
    private Sequential Net(int width)
    {
        var init = new ModuleInit(backend, 3);
        return new Sequential(new Conv2d(init, 3, width, 3, padding: 1), new BatchNorm2d(init, width), new ReLU(),
                              new Conv2d(init, width, width, 3, padding: 1), new ReLU(), new Flatten(), new Linear(init, width * 7 * 7, 3));
    }

    [Fact]
    public void Macs_are_the_flops_counters_and_the_prediction_is_their_ratio()
    {
        using var dense = Net(8);
        using var pruned = Net(5);

        var profile = ComputeProbe.Measure(dense, pruned, Input, warmup: 1, repetitions: 3);

        var denseRows = ModelCost.Measure(dense, new Shape(1, 3, 7, 7)).Rows.Where(r => r.Macs > 0).ToList();
        var prunedRows = ModelCost.Measure(pruned, new Shape(1, 3, 7, 7)).Rows.Where(r => r.Macs > 0).ToList();
        Assert.Equal(denseRows.Select(r => r.Name), profile.Layers.Select(l => l.Name));
        Assert.Equal(["conv", "conv", "linear"], profile.Layers.Select(l => l.Kind));
        Assert.Equal(denseRows.Select(r => r.Macs), profile.Layers.Select(l => l.DenseMacs));
        Assert.Equal(prunedRows.Select(r => (long?)r.Macs), profile.Layers.Select(l => l.PrunedMacs));
        Assert.Equal(["3×7×7", "5×7×7", "245"], profile.Layers.Select(l => l.Input));
        Assert.All(profile.Layers, l => Assert.Equal((double)l.DenseMacs / l.PrunedMacs!.Value, l.PredictedSpeedup!.Value, 12));
        Assert.Equal(ModelCost.Measure(dense, new Shape(1, 3, 7, 7)).Macs, profile.DenseMacs);
        Assert.Equal(ModelCost.Measure(pruned, new Shape(1, 3, 7, 7)).Macs, profile.PrunedMacs);
        Assert.Equal((double)profile.DenseMacs / profile.PrunedMacs!.Value, profile.PredictedSpeedup!.Value, 12);
        Assert.Equal(profile.DenseForwardMs / profile.PrunedForwardMs!.Value, profile.MeasuredSpeedup!.Value, 12);
        Assert.All(profile.Layers, l => Assert.Equal(l.DenseMs / l.PrunedMs!.Value, l.MeasuredSpeedup!.Value, 12));
        Assert.Equal((4, Environment.ProcessorCount, 1, 3), (profile.Batch, profile.Threads, profile.Warmup, profile.Repetitions));
    }

    [Fact]
    public void Layer_rows_and_the_rest_add_up_to_the_end_to_end_time()
    {
        using var dense = Net(8);
        using var pruned = Net(5);

        var profile = ComputeProbe.Measure(dense, pruned, Input, warmup: 1, repetitions: 3);

        Assert.All(profile.Layers, l => Assert.True(l.DenseMs > 0 && l.PrunedMs > 0, $"{l.Name}: {l.DenseMs} / {l.PrunedMs} ms"));
        Assert.True(profile.DenseForwardMs > 0 && profile.PrunedForwardMs > 0);
        Assert.Equal(profile.DenseForwardMs, profile.Layers.Sum(l => l.DenseMs) + profile.DenseRestMs, 9);
        Assert.Equal(profile.PrunedForwardMs!.Value, profile.Layers.Sum(l => l.PrunedMs!.Value) + profile.PrunedRestMs!.Value, 9);
        Assert.Equal(2.0 * 1000 * 4 / (2.0 * 1e6), ComputeProfile.Gflops(1000, 4, 2.0), 12);
    }

    [Fact]
    public void A_dense_network_alone_has_no_pruned_figures_and_keeps_its_modes()
    {
        using var dense = Net(8);
        dense.Train();

        var profile = ComputeProbe.Measure(dense, null, Input, warmup: 0, repetitions: 1);

        Assert.False(profile.HasPruned);
        Assert.All(profile.Layers, l => Assert.Null(l.PrunedMacs ?? (object?)l.PrunedMs ?? l.PredictedSpeedup ?? l.MeasuredSpeedup));
        Assert.Null(profile.PrunedMacs);
        Assert.Null(profile.PrunedRestMs);
        Assert.Equal(profile.DenseForwardMs, profile.Layers.Sum(l => l.DenseMs) + profile.DenseRestMs, 9);
        Assert.True(dense.Training);
    }

    [Fact]
    public void Networks_with_other_layers_and_bad_counts_are_refused()
    {
        using var dense = Net(8);
        var init = new ModuleInit(backend, 3);
        using var other = new Sequential(new Conv2d(init, 3, 4, 3, padding: 1), new ReLU(), new Flatten(), new Linear(init, 4 * 7 * 7, 3));
        var e = Assert.Throws<ArgumentException>(() => ComputeProbe.Measure(dense, other, Input, 0, 1));
        Assert.Contains("not the dense network's", e.Message);
        Assert.Contains("repetitions", Assert.Throws<ArgumentException>(() => ComputeProbe.Measure(dense, null, Input, 0, 0)).Message);
        Assert.Contains("warm-up", Assert.Throws<ArgumentException>(() => ComputeProbe.Measure(dense, null, Input, -1, 1)).Message);
    }
}
