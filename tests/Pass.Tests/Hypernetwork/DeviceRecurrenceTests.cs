using SparseCore.Kernels;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Masks.MaskTestKit;

namespace SparseCore.Pass.Tests.Hypernetwork;

/// <summary>
/// The threshold recurrence made on the device (ThresholdMask) against the host rule it replaces
/// — 1[score ≥ τ], the best score kept when none reaches τ — and the per-layer one (TopMask, each
/// in-mask's own top k) against its host sort, on ResNet-20's 19 masks: the same
/// scores and the same prompt gradient, bit for bit; and on ILGPU's simulator the device
/// rules make the search's hypernetwork pass (ResNet-8 there, for time) without a single host wait,
/// where the host rule waits once per recurrent mask (its download; not re-run there, for time).
/// </summary>
public class DeviceRecurrenceTests
{
    private static RecurrenceMask HostRule(float tau) => (_, scores) =>
    {
        var hard = scores.Select(v => v >= tau ? 1f : 0f).ToArray();
        if (!hard.Contains(1f))
        {
            int best = 0;
            for (int j = 1; j < scores.Length; j++) if (scores[j] > scores[best]) best = j;
            hard[best] = 1f;
        }
        return hard;
    };

    // The host per-layer rule the device one replaced: each in-mask's own top k by a sort on the host.
    private static RecurrenceMask HostTop(Func<int, int> keep) => (_, scores) =>
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(j => scores[j]).ToArray();
        var hard = new float[scores.Length];
        foreach (int j in order.Take(keep(scores.Length))) hard[j] = 1f;
        return hard;
    };

    private static (float[] Scores, float[] PromptGrad) Run(Backend backend, Func<ChannelHypernetwork, Tensor, Tensor> scores)
    {
        using var backbone = ModelZoo.Create("resnet20", new ModuleInit(backend, 1), 3, Side, Side, 10);
        var graph = ChannelGraph.Of(backbone);
        using var net = new ChannelHypernetwork(new ModuleInit(backend, 2), backbone, graph, 3);
        using var scope = new TensorScope();
        var v = Tensor.FromArray(backend, Random(3 * Side * Side, 11, -0.1f, 0.1f), new Shape(3, Side, Side));
        v.RequiresGrad = true;
        var s = scores(net, v);
        F.SumAll(F.Mul(s, Tensor.FromArray(backend, Random(s.Size, 99, -1f, 1f), s.Shape))).Backward();
        return (s.ToArray(), v.Grad!.ToArray());
    }

    [Theory]
    [InlineData(0.0f)]   // about half the channels above
    [InlineData(100f)]   // none above: every in-mask falls back to its best channel
    public void The_device_rule_gives_the_host_rules_scores_and_gradients(float tau)
    {
        var host = Run(Cpu, (net, v) => net.Scores(v, HostRule(tau)));
        var device = Run(Cpu, (net, v) => net.Scores(v, tau));
        Assert.Equal(host.Scores, device.Scores);
        Assert.Equal(host.PromptGrad, device.PromptGrad);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void The_device_per_layer_rule_gives_the_host_rules_scores_and_gradients(double sparsity)
    {
        Func<int, int> keep = channels => SparseCore.Pass.Baselines.UniformSelection.KeepCount(channels, sparsity);
        var host = Run(Cpu, (net, v) => net.Scores(v, HostTop(keep)));
        var device = Run(Cpu, (net, v) => net.ScoresKeepingTop(v, keep));
        Assert.Equal(host.Scores, device.Scores);
        Assert.Equal(host.PromptGrad, device.PromptGrad);
        // A rule keeping one channel fewer gives other scores: the comparison can fail.
        var fewer = Run(Cpu, (net, v) => net.ScoresKeepingTop(v, c => keep(c) - 1));
        Assert.NotEqual(host.Scores, fewer.Scores);
    }

    [Fact]
    public void On_the_ilgpu_backend_the_device_rule_never_waits_for_the_device()
    {
        using var backend = IlgpuBackend.CreateCpuSimulator();
        // ResNet-8 (one block a stage): every simulated launch costs milliseconds, and 4 masks show the count as well as 19.
        using var backbone = new ResNet(new ModuleInit(backend, 1), ResNetSpec.Cifar(8), InputSpec.For(3, Side, Side), 10);
        var graph = ChannelGraph.Of(backbone);
        using var net = new ChannelHypernetwork(new ModuleInit(backend, 2), backbone, graph, 3);
        using var scope = new TensorScope();
        var v = Tensor.FromArray(backend, Random(3 * Side * Side, 11, -0.1f, 0.1f), new Shape(3, Side, Side));
        int recurrent = graph.Masks.Count(m => graph.Layer(m.Owner).InputMask is int);

        Assert.True(recurrent >= 3, $"ResNet-8 has {recurrent} recurrent masks");

        // The host rules waited once for each of them (their download); the device rules not at all.
        long before = backend.HostWaits;
        net.Scores(v, 0f);
        Assert.Equal(0, backend.HostWaits - before);
        net.ScoresKeepingTop(v, c => c / 2);
        Assert.Equal(0, backend.HostWaits - before);
    }
}
