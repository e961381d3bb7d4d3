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
    private bool skipRandom;

    public Backend Backend { get; } = backend;
    public ulong Seed { get; } = seed;

    /// <summary>
    /// An init that allocates random-drawn tensors without drawing them (contents unspecified), for
    /// models whose weights are loaded right after, or that are only walked for shapes and costs:
    /// drawing VGG-16's 138 M weights takes seconds.
    /// </summary>
    public static ModuleInit Undrawn(Backend backend) => new(backend, 0) { skipRandom = true };

    public Tensor Uniform(Shape shape, float bound) => Draw(shape, RandomDistribution.Uniform, -bound, bound);

    public Tensor Normal(Shape shape, float std) => Draw(shape, RandomDistribution.Normal, 0f, std);

    private Tensor Draw(Shape shape, RandomDistribution distribution, float a, float b)
    {
        ulong stream = nextStream++;
        return skipRandom ? Tensor.Empty(Backend, shape) : Tensor.Random(Backend, shape, distribution, a, b, Seed, stream);
    }

    /// <summary>Reserves the next random stream for a module that draws at run time (dropout).</summary>
    public ulong NextStream() => nextStream++;

    public Tensor Constant(Shape shape, float value) => Tensor.Full(Backend, shape, value);
}
