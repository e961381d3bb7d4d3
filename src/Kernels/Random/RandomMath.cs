namespace SparseCore.Kernels.Random;

/// <summary>Draw i of a distribution, shared by the CPU loop and the ILGPU kernel.</summary>
public static class RandomMath
{
    public static float Draw(int distribution, float a, float b, ulong seed, ulong stream, ulong index)
    {
        ulong bits = CounterRng.Hash(seed, stream, index);
        switch ((RandomDistribution)distribution)
        {
            case RandomDistribution.Uniform:
                return a + (b - a) * CounterRng.Uniform01(bits);
            case RandomDistribution.Bernoulli:
                return CounterRng.Uniform01(bits) < a ? 1f : 0f;
            default:
                // Box–Muller, cosine branch: one normal per index keeps draws index-addressable.
                float u1 = CounterRng.UniformOpen01(bits);
                float u2 = CounterRng.Uniform01(bits);
                return a + b * MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
        }
    }
}
