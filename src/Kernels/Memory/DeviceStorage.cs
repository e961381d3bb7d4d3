namespace SparseCore.Kernels.Memory;

/// <summary>Backend-owned memory of one size class; lives in the pool between uses.</summary>
public abstract class DeviceStorage : IDisposable
{
    protected DeviceStorage(Type elementType, int capacity, int elementSize)
    {
        ElementType = elementType;
        Capacity = capacity;
        Bytes = (long)capacity * elementSize;
    }

    public Type ElementType { get; }
    public int Capacity { get; }
    public long Bytes { get; }

    public abstract void Dispose();
}
