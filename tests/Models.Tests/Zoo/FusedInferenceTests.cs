using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

/// <summary>
/// The ResNets' inference path (batch-norm folded into the convs, add and ReLU in the conv epilogue)
/// against the unfused layers on the same weights and non-trivial running statistics, and the
/// conditions under which it must stand aside (a tape, a forward hook, training mode).
/// </summary>
public class FusedInferenceTests
{
    [Theory]
    [InlineData("resnet20")]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Fused_and_unfused_eval_forwards_agree_within_1e_5(string model)
    {
        using var backend = new CpuBackend();
        using var net = Network(backend, model);
        using var scope = new TensorScope();
        var x = Input(backend, 3);
        var unfused = net.Forward(x).ToArray(); // the tape is on: the unfused layers run
        float[] fused;
        using (Autograd.NoGrad()) fused = net.Forward(x).ToArray();
        Assert.True(RelativeError(fused, unfused) <= 1e-5, $"{model}: normwise error {RelativeError(fused, unfused):E2}");
        Assert.NotEqual(unfused, fused); // the fused path did run: its rounding differs
    }

    [Fact]
    public void A_forward_hook_on_a_batch_norm_keeps_its_block_unfused()
    {
        using var backend = new CpuBackend();
        using var net = Network(backend, "resnet20");
        using var scope = new TensorScope();
        var x = Input(backend, 2);
        var bn = net.NamedModules().First(m => m.Name == "layer2.0.bn1").Module;
        using var hook = bn.AddForwardHook((_, y) => F.Scale(y, 0f));
        float[] hooked, plain;
        using (Autograd.NoGrad()) hooked = net.Forward(x).ToArray();
        hook.Dispose();
        using (Autograd.NoGrad()) plain = net.Forward(x).ToArray();
        Assert.True(RelativeError(hooked, plain) > 1e-3, "the hook's zeroed channels did not reach the output");
    }

    [Fact]
    public void Training_mode_never_takes_the_fused_path()
    {
        using var backend = new CpuBackend();
        using var net = Network(backend, "resnet20");
        net.Train();
        var conv = (Conv2d)net.NamedModules().First(m => m.Name == "conv1").Module;
        var bn = (BatchNorm2d)net.NamedModules().First(m => m.Name == "bn1").Module;
        using (Autograd.NoGrad()) Assert.False(ConvBnFusion.Applies(conv, bn));
        net.Eval();
        using (Autograd.NoGrad()) Assert.True(ConvBnFusion.Applies(conv, bn));
        Assert.False(ConvBnFusion.Applies(conv, bn)); // a tape is recording
    }

    /// <summary>An eval-mode network whose batch-norms have random γ, β and running statistics.</summary>
    private static Module Network(CpuBackend backend, string model)
    {
        var net = ModelZoo.Create(model, new ModuleInit(backend, 3), 1, 16, 16, 10);
        var rng = new System.Random(7);
        foreach (var (_, m) in net.NamedModules())
            if (m is BatchNorm2d bn)
            {
                Fill(bn.Weight.Value, rng, 0.5, 1.5);
                Fill(bn.Bias.Value, rng, -0.3, 0.3);
                Fill(bn.RunningMean, rng, -0.2, 0.2);
                Fill(bn.RunningVar, rng, 0.5, 2.0);
            }
        net.Eval();
        return net;
    }

    private static void Fill(Tensor t, System.Random rng, double lo, double hi) =>
        t.Backend.Upload<float>(Enumerable.Range(0, t.Size).Select(_ => (float)(lo + (hi - lo) * rng.NextDouble())).ToArray(), t.Buffer);

    private static Tensor Input(CpuBackend backend, int n) =>
        Tensor.FromArray(backend, Enumerable.Range(0, n * 256).Select(i => (float)((i * 37 % 101) / 101.0)).ToArray(), new Shape(n, 1, 16, 16));

    private static double RelativeError(float[] actual, float[] expected)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++) { diff += Math.Pow(actual[i] - expected[i], 2); norm += (double)expected[i] * expected[i]; }
        return Math.Sqrt(diff / norm);
    }
}
