using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Modules;

public class DropoutModuleTests
{
    private static float[][] Masks(ulong seed, int calls, ulong startAt = 0)
    {
        using var backend = new CpuBackend();
        var init = new ModuleInit(backend, seed);
        init.Uniform(new Shape(3), 1f).Dispose(); // a parameter drawn first, as in a real model
        var dropout = new Dropout(0.5f, init) { Calls = startAt };
        using var scope = new TensorScope();
        var ones = Tensor.Full(backend, new Shape(257), 1f);
        return Enumerable.Range(0, calls).Select(_ => dropout.Forward(ones).ToArray()).ToArray();
    }

    [Fact]
    public void Masks_are_fixed_by_the_seed_fresh_on_every_forward_and_resumable_from_the_call_count()
    {
        var a = Masks(9, 3);
        Assert.Equal(a, Masks(9, 3));
        Assert.NotEqual(a[0], a[1]);
        Assert.NotEqual(a[0], Masks(10, 1)[0]);
        Assert.Equal(a[2], Masks(9, 1, startAt: 2)[0]);
        Assert.All(a[0], v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(a[0].Count(v => v == 0f), 90, 167);
    }

    [Fact]
    public void Evaluation_and_p_zero_pass_the_input_through_without_counting()
    {
        using var backend = new CpuBackend();
        var dropout = new Dropout(0.3f, new ModuleInit(backend, 1));
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, [1f, 2f, 3f], new Shape(3));
        dropout.Eval();
        Assert.Equal([1f, 2f, 3f], dropout.Forward(x).ToArray());
        Assert.Equal(0UL, dropout.Calls);
        Assert.Equal([1f, 2f, 3f], new Dropout(0f).Forward(x).ToArray());
        Assert.Throws<ArgumentException>(() => new Dropout(0.5f));
        Assert.Throws<ArgumentException>(() => new Dropout(1f, new ModuleInit(backend, 1)));
    }
}
