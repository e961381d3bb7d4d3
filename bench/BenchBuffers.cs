using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Memory;

namespace SparseCore.Bench;

/// <summary>
/// What a kernel suite's setup owns on one CpuBackend — the buffers it uploads and the objects it
/// builds, released in reverse order — with the seeded uniform data and the normwise check every
/// conv suite uses to prove a variant computes what it claims before it is timed.
/// </summary>
internal sealed class BenchBuffers : IDisposable
{
    private readonly List<IDisposable> owned = [];

    public CpuBackend Backend { get; } = new();

    public DeviceBuffer<float> Upload(float[] data)
    {
        var buffer = Own(Backend.Allocate<float>(data.Length));
        Backend.Upload<float>(data, buffer);
        return buffer;
    }

    public T Own<T>(T resource) where T : IDisposable
    {
        owned.Add(resource);
        return resource;
    }

    public static float[] Uniform(Random rng, int count, float scale)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    /// <summary>Throws unless ‖actual − expected‖ / ‖expected‖ ≤ <paramref name="tolerance"/>.</summary>
    public static void Check(float[] actual, float[] expected, double tolerance, string what)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }
        double error = Math.Sqrt(diff / norm);
        if (!(error <= tolerance))
            throw new InvalidOperationException($"{what} disagrees with the dense conv: normwise error {error:E2} > {tolerance:E0}");
    }

    public void Dispose()
    {
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
        Backend.Dispose();
    }
}
