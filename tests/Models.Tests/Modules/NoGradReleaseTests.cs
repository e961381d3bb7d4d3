using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Random;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Modules;

/// <summary>
/// Without a tape a composite module returns its intermediates to the pool as it goes, so an
/// evaluation pass holds about one layer's working set; with a tape they stay for backward.
/// </summary>
public class NoGradReleaseTests
{
    // Ten blocks, each a composite of a linear and a ReLU, every activation 64 × 512 floats.
    private static Sequential DeepStack(CpuBackend backend)
    {
        var init = new ModuleInit(backend, 7);
        return new Sequential(Enumerable.Range(0, 10)
            .Select(_ => (Module)new Sequential(new Linear(init, 512, 512), new ReLU()))
            .Append(new Flatten())
            .ToArray());
    }

    [Fact]
    public void A_no_grad_forward_peaks_at_a_few_activations_and_gives_the_same_output()
    {
        using var backend = new CpuBackend();
        using var net = DeepStack(backend);
        using var scope = new TensorScope();
        var x = Tensor.Random(backend, new Shape(64, 512), RandomDistribution.Normal, 0f, 1f, seed: 3, stream: 0);
        long activation = 64 * 512 * sizeof(float);

        backend.Pool.ResetPeak();
        long before = backend.Pool.LiveBytes;
        var taped = net.Forward(x);
        long tapedPeak = backend.Pool.PeakLiveBytes - before;
        Assert.True(tapedPeak >= 20 * activation, $"with a tape every activation stays: {tapedPeak} bytes");

        float[] expected = taped.ToArray();
        taped.Dispose();
        backend.Pool.ResetPeak();
        before = backend.Pool.LiveBytes;
        Tensor output;
        using (Autograd.NoGrad()) output = net.Forward(x);
        long releasedPeak = backend.Pool.PeakLiveBytes - before;
        Assert.True(releasedPeak <= 4 * activation, $"without a tape a few activations live at once, not one per layer: {releasedPeak} bytes");
        Assert.Equal(expected, output.ToArray());                 // Flatten's view outlives its released base
        Assert.Equal(activation, backend.Pool.LiveBytes - before); // only the output is left
    }

    [Fact]
    public void A_hook_on_an_inner_layer_still_acts_in_a_no_grad_forward()
    {
        using var backend = new CpuBackend();
        using var net = DeepStack(backend);
        using var scope = new TensorScope();
        var inner = ((Sequential)net.Layers[4]).Layers[1];
        using var hook = inner.AddForwardHook((_, y) => F.Affine(y, 0f));
        var x = Tensor.Random(backend, new Shape(3, 512), RandomDistribution.Normal, 0f, 1f, seed: 5, stream: 0);

        using (Autograd.NoGrad())
        {
            var y = net.Forward(x).ToArray();
            // Zeros after block 4 pass through biased linears and ReLUs: every row is the same.
            for (int r = 1; r < 3; r++) Assert.Equal(y.AsSpan(0, 512).ToArray(), y.AsSpan(r * 512, 512).ToArray());
        }
    }
}
