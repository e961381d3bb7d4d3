using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>ResNet-20 at 12×12 px, batch 2: the small backbone the mask and hypernetwork tests run.</summary>
internal static class MaskTestKit
{
    public static readonly Backend Cpu = new CpuBackend();

    public const int Side = 12;

    public static Module ResNet20(ulong seed = 1)
    {
        var model = ModelZoo.Create("resnet20", new ModuleInit(Cpu, seed), 3, Side, Side, 10);
        model.Eval();
        return model;
    }

    public static void Freeze(Module model)
    {
        foreach (var p in model.Parameters()) p.Frozen = true;
    }

    public static float[] Random(int n, int seed, float lo, float hi)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (float)rng.NextDouble() * (hi - lo)).ToArray();
    }

    public static Tensor Images(int seed = 5) => Tensor.FromArray(Cpu, Random(2 * 3 * Side * Side, seed, 0f, 1f), new Shape(2, 3, Side, Side));

    /// <summary>Σ y·G for a fixed random G: a loss whose gradient reaches every output.</summary>
    public static Tensor Loss(Tensor y) => F.SumAll(F.Mul(y, Tensor.FromArray(Cpu, Random(y.Size, 99, -1f, 1f), y.Shape)));

    public static bool AnyNonZero(Tensor? grad) => grad is not null && grad.ToArray().Any(v => v != 0f);
}
