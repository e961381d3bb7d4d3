using SparseCore.Kernels;
using SparseCore.Kernels.Random;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// Where new parameters are created and how they are drawn: every parameter takes the next random
/// stream under one seed, so a model built twice with the same seed is bit-identical.
/// </summary>
public sealed class ModuleInit(Backend backend, ulong seed)
{
    private ulong nextStream;

    public Backend Backend { get; } = backend;
    public ulong Seed { get; } = seed;

    public Tensor Uniform(Shape shape, float bound) =>
        Tensor.Random(Backend, shape, RandomDistribution.Uniform, -bound, bound, Seed, nextStream++);

    public Tensor Normal(Shape shape, float std) =>
        Tensor.Random(Backend, shape, RandomDistribution.Normal, 0f, std, Seed, nextStream++);

    /// <summary>Reserves the next random stream for a module that draws at run time (dropout).</summary>
    public ulong NextStream() => nextStream++;

    public Tensor Constant(Shape shape, float value) => Tensor.Full(Backend, shape, value);
}
