using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Optim;

/// <summary>Adam's L2 decay against AdamW's decoupled decay: equal without decay, apart with it.</summary>
public sealed class AdamTests
{
    private static readonly float[] Start = [2f, -0.5f, 0.25f, 1f];

    /// <summary>Parameters after <paramref name="steps"/> steps from <see cref="Start"/> with a fixed gradient.</summary>
    private static float[] Run(Func<Parameter, Optimizer> make, float[] gradient, int steps)
    {
        using var cpu = new CpuBackend();
        using var p = new Parameter("p", Tensor.FromArray(cpu, Start, new Shape(Start.Length)));
        using var optimizer = make(p);
        for (int t = 0; t < steps; t++)
        {
            using (var scope = new TensorScope())
                p.Value.Backward(Tensor.FromArray(cpu, gradient, p.Value.Shape));
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        return p.Value.ToArray();
    }

    [Fact]
    public void Without_weight_decay_Adam_and_AdamW_take_identical_steps()
    {
        float[] g = [0.3f, -1.5f, 0f, 2e-3f];
        Assert.Equal(Run(p => new AdamW([p], 0.1f, weightDecay: 0f), g, 3), Run(p => new Adam([p], 0.1f), g, 3));
    }

    [Fact]
    public void With_weight_decay_and_no_gradient_Adam_moves_by_the_normalised_decay_and_AdamW_by_lr_wd_p()
    {
        // Adam's decay is a gradient, so the first step normalises it: p − lr·sign(p) (eps aside).
        // AdamW's scales p by 1 − lr·wd and the zero gradient moves nothing.
        const float lr = 0.1f, wd = 0.1f;
        var zero = new float[Start.Length];
        var adam = Run(p => new Adam([p], lr, weightDecay: wd), zero, 1);
        var adamW = Run(p => new AdamW([p], lr, weightDecay: wd), zero, 1);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(Start[i] - lr * MathF.Sign(Start[i]), adam[i], 5);
            Assert.Equal(Start[i] * (1 - lr * wd), adamW[i], 6);
        }
    }
}
