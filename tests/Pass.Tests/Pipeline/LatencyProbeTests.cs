using SparseCore.Kernels;
using SparseCore.Models.Modules;
using SparseCore.Tensors;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Tests.Pipeline;

public sealed class LatencyProbeTests : IDisposable
{
    private readonly Backend backend = Devices.Create("cpu");

    public void Dispose() => backend.Dispose();

    private Sequential TinyNet()
    {
        var init = new ModuleInit(backend, 3);
        return new Sequential(new Conv2d(init, 3, 5, 3, padding: 1), new BatchNorm2d(init, 5), new ReLU(), new Flatten(), new Linear(init, 5 * 7 * 7, 3));
    }

    [Fact]
    public void Measures_the_stated_counts_and_restores_every_modules_mode()
    {
        using var net = TinyNet();
        net.Train();
        net.Layers[1].Eval(); // a frozen batch-norm inside a training model, as in stage 1
        var before = Modes(net);

        var result = LatencyProbe.Measure(net, new Shape(3, 3, 7, 7), warmup: 2, repetitions: 5);

        Assert.Equal(5, result.Repetitions);
        Assert.Equal(5, result.TimesMs.Count);
        Assert.Equal(2, result.Warmup);
        Assert.Equal(3, result.Batch);
        Assert.Equal(Environment.ProcessorCount, result.Threads);
        Assert.All(result.TimesMs, t => Assert.True(t > 0));
        Assert.Equal(new LatencySetup(3, Environment.ProcessorCount, 2, 5), result.Setup);
        Assert.Equal(before, Modes(net));
        Assert.Contains(false, before);
        Assert.Contains(true, before);
    }

    [Fact]
    public void Every_forward_runs_in_eval_mode_without_autograd_and_warm_up_is_untimed()
    {
        using var net = TinyNet();
        var seen = new List<(bool Grad, bool Training)>();
        using var hook = net.Layers[1].AddForwardHook((m, y) => { seen.Add((Autograd.IsEnabled, m.Training)); return y; });

        var result = LatencyProbe.Measure(net, new Shape(1, 3, 7, 7), warmup: 3, repetitions: 4);

        Assert.Equal(7, seen.Count);          // 3 warm-up + 4 timed forwards
        Assert.Equal(4, result.TimesMs.Count);
        Assert.All(seen, s => Assert.Equal((false, false), s));
        Assert.True(Autograd.IsEnabled);
        Assert.True(net.Training);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        var result = new LatencyResult([4.0, 1.0, 3.0, 2.0], Batch: 1, Warmup: 0, Threads: 1);
        Assert.Equal(2.5, result.MedianMs);
        Assert.Equal(3.0, new LatencyResult([5.0, 3.0, 1.0], 1, 0, 1).MedianMs);
    }

    [Theory]
    [InlineData(-1, 5, "warm-up")]
    [InlineData(3, 0, "repetitions")]
    public void Rejects_bad_counts(int warmup, int repetitions, string expected)
    {
        using var net = TinyNet();
        var e = Assert.Throws<ArgumentException>(() => LatencyProbe.Measure(net, new Shape(1, 3, 7, 7), warmup, repetitions));
        Assert.Contains(expected, e.Message);
    }

    private static bool[] Modes(Module net) => [net.Training, .. net.NamedModules().Select(m => m.Module.Training)];
}
