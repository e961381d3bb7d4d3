using SparseCore.Kernels;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Tensors;

/// <summary>
/// A float32, contiguous, row-major tensor on one backend. Tensors are disposable; intermediates
/// are released by the enclosing <see cref="TensorScope"/>. A tensor that requires grad is a leaf
/// (a parameter) unless an op produced it, in which case <see cref="Node"/> records how.
/// </summary>
public sealed class Tensor : IDisposable
{
    private TensorStorage? storage;

    private Tensor(Backend backend, Shape shape, TensorStorage storage)
    {
        Backend = backend;
        Shape = shape;
        this.storage = storage;
        TensorScope.Register(this);
    }

    public Backend Backend { get; }
    public Shape Shape { get; }
    public int Size => Shape.Size;
    public int Rank => Shape.Rank;

    /// <summary>Gradient accumulated by <see cref="Backward"/> for a tensor that requires it.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>True for parameters (set by the caller) and for results of ops on such tensors.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The tape entry that produced this tensor; null for leaves.</summary>
    internal TapeNode? Node { get; set; }

    public bool IsLeaf => Node is null;

    public bool IsDisposed => storage is null;

    public DeviceBuffer<float> Buffer =>
        (storage ?? throw new ObjectDisposedException(nameof(Tensor), $"tensor {Shape} was used after Dispose")).Buffer;

    // ---- creation -------------------------------------------------------------------------

    /// <summary>An uninitialised tensor (contents unspecified) for kernels that write every element.</summary>
    public static Tensor Empty(Backend backend, Shape shape) =>
        new(backend, shape, new TensorStorage(backend.Allocate<float>(shape.Size)));

    public static Tensor Zeros(Backend backend, Shape shape) => Full(backend, shape, 0f);

    public static Tensor Full(Backend backend, Shape shape, float value)
    {
        var t = Empty(backend, shape);
        backend.Fill(t.Buffer, value);
        return t;
    }

    public static Tensor FromArray(Backend backend, ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.Size)
            throw new TensorShapeException("FromArray", $"{data.Length} values do not fill shape {shape} ({shape.Size} elements)");
        var t = Empty(backend, shape);
        backend.Upload(data, t.Buffer);
        return t;
    }

    public static Tensor Random(Backend backend, Shape shape, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
    {
        var t = Empty(backend, shape);
        backend.FillRandom(t.Buffer, distribution, a, b, seed, stream);
        return t;
    }

    /// <summary>A view with another shape over the same storage (no copy).</summary>
    internal Tensor ViewAs(Shape shape)
    {
        var s = storage ?? throw new ObjectDisposedException(nameof(Tensor), $"tensor {Shape} was used after Dispose");
        s.AddReference();
        return new Tensor(Backend, shape, s);
    }

    // ---- reading --------------------------------------------------------------------------

    public float[] ToArray()
    {
        var result = new float[Size];
        Backend.Download(Buffer, result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new TensorShapeException("Item", $"tensor {Shape} has {Size} elements, not one");
        Span<float> one = stackalloc float[1];
        Backend.Download(Buffer, one);
        return one[0];
    }

    // ---- autograd -------------------------------------------------------------------------

    /// <summary>Backpropagates from this scalar (or from <paramref name="seed"/> for a non-scalar).</summary>
    public void Backward(Tensor? seed = null) => Autograd.Backward(this, seed);

    /// <summary>Drops the accumulated gradient (returns its buffer to the pool).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>Detaches the tensor from any enclosing scope: the caller now owns it.</summary>
    public Tensor Persist()
    {
        TensorScope.Unregister(this);
        return this;
    }

    public void Dispose()
    {
        var s = storage;
        if (s is null) return;
        storage = null;
        s.Release();
        Grad?.Dispose();
        Grad = null;
    }

    public override string ToString() => $"Tensor{Shape} on {Backend.Name}" + (RequiresGrad ? " (requires grad)" : "");
}
