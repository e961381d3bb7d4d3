using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Unstructured;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>A weight-pruned network run on sparse-weight kernels gives the dense kernels' logits and predictions, and goes back to them when the plan is disposed.</summary>
public sealed class SparseExecutionTests : IDisposable
{
    private readonly CpuBackend cpu = new();

    public void Dispose() => cpu.Dispose();

    [Theory]
    [InlineData(SparseChoice.Always)]
    [InlineData(SparseChoice.Measured)]
    public void Sparse_kernels_give_the_dense_networks_logits_and_every_prediction(SparseChoice choice)
    {
        using var net = Pruned();
        using var x = Tensor.FromArray(cpu, Enumerable.Range(0, 7 * 144).Select(i => MathF.Abs(MathF.Sin(0.37f * i))).ToArray(), new Shape(7, 1, 12, 12)).Persist();
        var dense = Forward(net, x);
        float[] sparse;
        using (var plan = SparseExecution.Plan(net, x.Shape, choice, repetitions: 1))
        {
            Assert.Equal(PrunableWeights.Of(net).Count, plan.Layers.Count);
            if (choice == SparseChoice.Always) Assert.All(plan.Layers, l => Assert.True(l.Sparse));
            else Assert.All(plan.Layers, l => Assert.Equal(l.SparseMs < l.DenseMs, l.Sparse));
            Assert.Equal(0.0, plan.Layers.Single(l => l.Name == "layer2.1.conv1").Density);
            sparse = Forward(net, x);
        }
        Assert.True(NormwiseError(dense, sparse) <= 1e-5, $"normwise error {NormwiseError(dense, sparse)}");
        Assert.Equal(ArgMax(dense), ArgMax(sparse));
        Assert.Equal(dense, Forward(net, x)); // disposed: the dense kernels again, bit for bit
        Assert.All(PrunableWeights.Of(net), w => Assert.Null(w.Layer.ForwardReplacement));
    }

    /// <summary>A ResNet-20 with 90 % of its weights zeroed (by a fixed pattern), one layer entirely.</summary>
    private Module Pruned()
    {
        var net = ModelZoo.Create("resnet20", new ModuleInit(cpu, 4), 1, 12, 12, 10);
        net.Eval();
        var random = new Random(3);
        foreach (var w in PrunableWeights.Of(net))
        {
            var v = w.Parameter.Value.ToArray();
            for (int i = 0; i < v.Length; i++)
                if (w.Name == "layer2.1.conv1.weight" || random.NextDouble() < 0.9) v[i] = 0f;
            cpu.Upload<float>(v, w.Parameter.Value.Buffer);
        }
        return net;
    }

    private static float[] Forward(Module net, Tensor x)
    {
        using var _ = Autograd.NoGrad();
        using var y = net.Forward(x);
        return y.ToArray();
    }

    private static double NormwiseError(float[] expected, float[] actual)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        return Math.Sqrt(diff / Math.Max(norm, 1e-30));
    }

    private static int[] ArgMax(float[] logits) =>
        Enumerable.Range(0, logits.Length / 10).Select(n => Enumerable.Range(0, 10).MaxBy(c => logits[n * 10 + c])).ToArray();
}
