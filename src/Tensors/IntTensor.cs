using SparseCore.Kernels;
using SparseCore.Kernels.Memory;

namespace SparseCore.Tensors;

/// <summary>Int32 tensor for labels, argmax results and channel indices; never differentiated.</summary>
public sealed class IntTensor : IDisposable
{
    private DeviceBuffer<int>? buffer;

    private IntTensor(Backend backend, Shape shape)
    {
        Backend = backend;
        Shape = shape;
        buffer = backend.Allocate<int>(shape.Size);
        TensorScope.Register(this);
    }

    public Backend Backend { get; }
    public Shape Shape { get; }
    public int Size => Shape.Size;

    public DeviceBuffer<int> Buffer =>
        buffer ?? throw new ObjectDisposedException(nameof(IntTensor), $"int tensor {Shape} was used after Dispose");

    public static IntTensor Empty(Backend backend, Shape shape) => new(backend, shape);

    public static IntTensor FromArray(Backend backend, ReadOnlySpan<int> data, Shape shape)
    {
        if (data.Length != shape.Size)
            throw new TensorShapeException("IntTensor.FromArray", $"{data.Length} values do not fill shape {shape}");
        var t = new IntTensor(backend, shape);
        backend.Upload(data, t.Buffer);
        return t;
    }

    /// <summary>Class labels, checked on the host (where they come from) so no kernel sees one out of range.</summary>
    public static IntTensor Labels(Backend backend, ReadOnlySpan<int> labels, int classCount)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"label {i} is {labels[i]}, outside [0, {classCount})");
        return FromArray(backend, labels, new Shape(labels.Length));
    }

    public int[] ToArray() => Backend.ToArray(Buffer);

    public void Dispose()
    {
        buffer?.Dispose();
        buffer = null;
    }
}
