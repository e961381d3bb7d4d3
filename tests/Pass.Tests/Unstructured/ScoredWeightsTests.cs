using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Unstructured;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Unstructured;

public sealed class ScoredWeightsTests : IDisposable
{
    private readonly CpuBackend cpu = new();

    public void Dispose() => cpu.Dispose();

    [Fact]
    public void Scores_start_at_hydras_scaled_magnitude_with_the_sign_kept()
    {
        var s = ScoredWeights.ScaledInit([0.5f, -2f, 0f, 1f], fanIn: 6);
        // √(6/6) / max|W| = 1/2.
        Assert.Equal([0.25f, -1f, 0f, 0.5f], s);
        Assert.All(ScoredWeights.ScaledInit([0f, 0f], 3), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void The_attached_network_runs_on_the_masked_weights_and_the_detached_one_on_the_dense_weights()
    {
        using var net = ModelZoo.Create("resnet20", new ModuleInit(cpu, 4), 1, 12, 12, 10);
        net.Eval();
        using var x = Tensor.FromArray(cpu, Enumerable.Range(0, 2 * 144).Select(i => MathF.Sin(i)).ToArray(), new Shape(2, 1, 12, 12)).Persist();
        float[] dense = Forward(net, x);
        Dictionary<string, float[]> masks;
        float[] masked;
        using (var scored = new ScoredWeights(net, 0.7))
        {
            masks = scored.Masks();
            long total = masks.Values.Sum(m => (long)m.Length);
            Assert.Equal(total - GlobalSelection.RemovedCount(0.7, total), masks.Values.Sum(m => (long)m.Count(v => v == 1f)));
            masked = Forward(net, x);
        }
        Assert.Equal(dense, Forward(net, x)); // detached: the weights themselves were never changed

        var weights = PrunableWeights.Of(net);
        foreach (var w in weights)
        {
            var v = w.Parameter.Value.ToArray();
            var m = masks[w.Name];
            for (int i = 0; i < v.Length; i++) v[i] *= m[i];
            cpu.Upload<float>(v, w.Parameter.Value.Buffer);
        }
        Assert.Equal(masked, Forward(net, x));
        Assert.NotEqual(dense, masked);
    }

    [Fact]
    public void The_global_cut_keeps_small_fan_in_layers_denser()
    {
        // One global threshold on √(6/fan_in)-scaled scores: the 1×1 shortcuts and the stem (small fan-in) keep more than wide 3×3 convs.
        using var net = ModelZoo.Create("resnet20", new ModuleInit(cpu, 4), 1, 12, 12, 10);
        using var scored = new ScoredWeights(net, 0.9);
        var masks = scored.Masks();
        double Density(string name) => masks[name].Average();
        Assert.True(Density("conv1.weight") > Density("layer3.2.conv2.weight"));
    }

    private static float[] Forward(Module net, Tensor x)
    {
        using var _ = Autograd.NoGrad();
        using var y = net.Forward(x);
        return y.ToArray();
    }
}
