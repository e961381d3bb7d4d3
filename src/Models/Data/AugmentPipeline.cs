namespace SparseCore.Models.Data;

/// <summary>
/// Transforms applied in order to each sample as the <see cref="DataLoader"/> prepares a batch.
/// Sample i of epoch e draws from a generator keyed by (seed, e, i) alone, so the same seed gives
/// the same augmented batches whatever the prefetch timing, and a resumed run sees exactly what an
/// uninterrupted one would have. Holds scratch buffers: one pipeline serves one loader.
/// </summary>
public sealed class AugmentPipeline
{
    // Keeps augmentation draws apart from the loader's shuffle streams under the same seed.
    private const long AugmentStream = 0x0A06_3E47;

    private readonly Augmentation[] steps;
    private float[] scratchA = [], scratchB = [];

    public AugmentPipeline(params Augmentation[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Any(s => s is null))
            throw new ArgumentException("AugmentPipeline: a step is null");
        this.steps = steps.ToArray();
    }

    public IReadOnlyList<Augmentation> Steps => steps;

    /// <summary>The shape of an output image for input images of the given shape.</summary>
    public (int Channels, int Height, int Width) OutputShape(int channels, int height, int width)
    {
        var shape = (channels, height, width);
        foreach (var step in steps) shape = step.OutputShape(shape.channels, shape.height, shape.width);
        return shape;
    }

    /// <summary>Transforms one C×H×W image into <paramref name="destination"/> (sized for <see cref="OutputShape"/>).</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        long seed, int epoch, int sample)
    {
        if (source.Length != channels * height * width)
            throw new ArgumentException($"AugmentPipeline: source holds {source.Length} floats, not one {channels}×{height}×{width} image");
        var random = new SplitMix64(seed, AugmentStream ^ ((long)epoch << 32), sample);
        if (steps.Length == 0)
        {
            source.CopyTo(destination);
            return;
        }
        var shape = (channels, height, width);
        ReadOnlySpan<float> current = source;
        for (int s = 0; s < steps.Length; s++)
        {
            var next = steps[s].OutputShape(shape.channels, shape.height, shape.width);
            int size = next.Item1 * next.Item2 * next.Item3;
            Span<float> output;
            if (s == steps.Length - 1)
            {
                if (destination.Length != size)
                    throw new ArgumentException($"AugmentPipeline: destination holds {destination.Length} floats, the output image {size}");
                output = destination;
            }
            else
            {
                ref float[] scratch = ref (s % 2 == 0 ? ref scratchA : ref scratchB);
                if (scratch.Length < size) scratch = new float[size];
                output = scratch.AsSpan(0, size);
            }
            steps[s].Apply(current, output, shape.channels, shape.height, shape.width, ref random);
            current = output;
            shape = next;
        }
    }
}
