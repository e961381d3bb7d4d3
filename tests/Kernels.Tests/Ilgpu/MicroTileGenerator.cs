using System.Text;

namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>
/// Writes the unrolled parts of the two register-blocked ILGPU kernels, GemmTiled
/// (src/Kernels/Gemm/IlgpuGemmKernels.cs) and ConvGemm (src/Kernels/Conv/IlgpuConvKernels.cs).
/// ILGPU 1.5.3 does not unroll loops, so these parts are spelled out, the 8×8 accumulators as 64
/// named locals (kept in registers: IlgpuPtxTests checks the PTX has no local memory): the 64
/// accumulators, one k step of the micro-tile (8 A and 8 B loads from shared memory, 64 multiply-adds), the
/// epilogue's 64 stores, and the staging of each thread's share of a tile (global loads into
/// registers, registers into shared memory).
/// <para>
/// In the kernels each region stands between <c>// generated: NAME</c> and <c>// end generated</c>
/// lines. <see cref="MicroTileGeneratorTests"/> checks that every region reads exactly as this
/// class writes it; to change one, change this class and run those tests with
/// SPARSECORE_WRITE_GENERATED=1, which rewrites the regions in place.
/// </para>
/// </summary>
internal static class MicroTileGenerator
{
    /// <summary>Rows and columns of a thread's micro-tile.</summary>
    public const int Tile = 8;

    public const string GemmFile = "src/Kernels/Gemm/IlgpuGemmKernels.cs";
    public const string ConvFile = "src/Kernels/Conv/IlgpuConvKernels.cs";

    /// <summary>One region: the file it lives in, its marker name, and its exact text (lines with indentation, each ending in a newline).</summary>
    public sealed record Region(string File, string Name, string Text)
    {
        public override string ToString() => $"{File}: {Name}";
    }

    public static IReadOnlyList<Region> All { get; } =
    [
        // GemmTiled: 128×128 block, 256 threads each staging 4 A and 4 B elements per tile.
        new(GemmFile, "accumulators", Accumulators(8)),
        new(GemmFile, "tile loads, first tile", GemmTileLoads(12, kOffset: "kBegin + ")),
        new(GemmFile, "tile stores, first tile", GemmTileStores(12, buffer: "")),
        new(GemmFile, "tile loads, next tile", GemmTileLoads(16, kOffset: "k0 + ")),
        new(GemmFile, "micro-tile k step", MicroTileStep(16)),
        new(GemmFile, "tile stores, next tile", GemmTileStores(16, buffer: "nxt + ")),
        new(GemmFile, "epilogue", GemmEpilogue(8)),
        // ConvGemm: 64×128 block, 128 threads each staging 4 A elements and one column's 8 B elements per tile.
        new(ConvFile, "accumulators", Accumulators(8)),
        new(ConvFile, "tile loads, first tile", ConvTileLoads(12)),
        new(ConvFile, "tile stores, first tile", TileStores(8, bufferA: "", bufferB: "", aCount: 4, bCount: 8)),
        new(ConvFile, "tile loads, next tile", ConvTileLoads(16)),
        new(ConvFile, "micro-tile k step", MicroTileStep(16)),
        new(ConvFile, "tile stores, next tile", TileStores(16, bufferA: "nxtA + ", bufferB: "nxtB + ", aCount: 4, bCount: 8)),
        new(ConvFile, "epilogue", ConvEpilogue(8)),
    ];

    public static string StartMarker(string name) => $"// generated: {name}";
    public const string EndMarker = "// end generated";

    private static string Lines(int indent, IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (string line in lines) sb.Append(' ', indent).Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>float cij = 0f for the whole micro-tile, a row per line.</summary>
    private static string Accumulators(int indent) => Lines(indent,
        Enumerable.Range(0, Tile).Select(i =>
            "float " + string.Join(", ", Enumerable.Range(0, Tile).Select(j => $"c{i}{j} = 0f")) + ";"));

    /// <summary>
    /// One k step: the thread's 8 A values (rows 4·ty…4·ty+3 and 4·ThreadsY + 4·ty…) and 8 B values
    /// (columns 4·tx… and 4·ThreadsX + 4·tx…) as two 16-byte shared loads each, then cij += ai·bj:
    /// 4 load instructions per 64 multiply-adds (scalar loads needed 16).
    /// </summary>
    private static string MicroTileStep(int indent)
    {
        var lines = new List<string>
        {
            "Float4 a03 = As4[row], a47 = As4[row + ThreadsY];",
            "Float4 b03 = Bs4[col], b47 = Bs4[col + ThreadsX];",
            "float a0 = a03.X, a1 = a03.Y, a2 = a03.Z, a3 = a03.W, a4 = a47.X, a5 = a47.Y, a6 = a47.Z, a7 = a47.W;",
            "float b0 = b03.X, b1 = b03.Y, b2 = b03.Z, b3 = b03.W, b4 = b47.X, b5 = b47.Y, b6 = b47.Z, b7 = b47.W;",
        };
        for (int i = 0; i < Tile; i++)
            lines.Add(string.Join(" ", Enumerable.Range(0, Tile).Select(j => $"c{i}{j} += a{i} * b{j};")));
        return Lines(indent, lines);
    }

    /// <summary>The i-th row (or column) a thread owns, from its group index ("ty") and the group's extent ("ThreadsY"): 4·ty + i, then 4·Threads + 4·ty + i − 4.</summary>
    private static string Owned(int i, string index, string extent) =>
        (i < 4 ? "" : $"4 * {extent} + ") + $"4 * {index}" + (i % 4 == 0 ? "" : $" + {i % 4}");

    /// <summary>Registers into shared memory: A at aS0…, B at bS0…, each offset by the buffer being filled.</summary>
    private static string TileStores(int indent, string bufferA, string bufferB, int aCount, int bCount)
    {
        var lines = new List<string>();
        for (int i = 0; i < aCount; i++) lines.Add($"As[{bufferA}aS{i}] = ra{i};");
        for (int i = 0; i < bCount; i++) lines.Add($"Bs[{bufferB}bS{i}] = rb{i};");
        return Lines(indent, lines);
    }

    /// <summary>
    /// GemmTiled's 4 A and 4 B global loads for the tile starting at k offset kOffset (zero past the
    /// edges): one 16-byte load when the operand's rows allow it (vecA / vecB: its contiguous extent
    /// a multiple of 4, so the thread's 4 elements are consecutive and aligned), else 4 scalar loads.
    /// </summary>
    private static string GemmTileLoads(int indent, string kOffset)
    {
        var lines = new List<string>
        {
            $"if (vecA) {{ var va = LoadA4(a, p, aBase, m0 + aM0, {kOffset}aK0, kEnd); ra0 = va.X; ra1 = va.Y; ra2 = va.Z; ra3 = va.W; }}",
            "else",
            "{",
        };
        for (int i = 0; i < 4; i++) lines.Add($"    ra{i} = LoadA(a, p, aBase, m0 + aM{i}, {kOffset}aK{i}, kEnd);");
        lines.Add("}");
        lines.Add($"if (vecB) {{ var vb = LoadB4(b, p, bBase, {kOffset}bK0, n0 + bN0, kEnd); rb0 = vb.X; rb1 = vb.Y; rb2 = vb.Z; rb3 = vb.W; }}");
        lines.Add("else");
        lines.Add("{");
        for (int i = 0; i < 4; i++) lines.Add($"    rb{i} = LoadB(b, p, bBase, {kOffset}bK{i}, n0 + bN{i}, kEnd);");
        lines.Add("}");
        return Lines(indent, lines);
    }

    /// <summary>
    /// GemmTiled's stores into shared memory: one 16-byte store when the thread's 4 elements are
    /// consecutive in the tile (transposed A, non-transposed B on the vector path), else 4 scalar
    /// stores (conflict-free either way: see the kernel's staging comment).
    /// </summary>
    private static string GemmTileStores(int indent, string buffer) => Lines(indent,
    [
        $"if (vecA && p.TransA != 0) As4[({buffer}aS0) / 4] = new Float4 {{ X = ra0, Y = ra1, Z = ra2, W = ra3 }};",
        $"else {{ As[{buffer}aS0] = ra0; As[{buffer}aS1] = ra1; As[{buffer}aS2] = ra2; As[{buffer}aS3] = ra3; }}",
        $"if (vecB && p.TransB == 0) Bs4[({buffer}bS0) / 4] = new Float4 {{ X = rb0, Y = rb1, Z = rb2, W = rb3 }};",
        $"else {{ Bs[{buffer}bS0] = rb0; Bs[{buffer}bS1] = rb1; Bs[{buffer}bS2] = rb2; Bs[{buffer}bS3] = rb3; }}",
    ]);

    /// <summary>
    /// ConvGemm's loads for the tile at k0: A's 4 rows at k = ka, then B's column at k0…k0+7, the
    /// (d0, d1, d2) decomposition of k computed once and stepped like an odometer between loads.
    /// </summary>
    private static string ConvTileLoads(int indent)
    {
        var lines = new List<string>();
        for (int i = 0; i < 4; i++) lines.Add($"ra{i} = kaValid && aM{i} < p.M ? a[aBase + aR{i}] : 0f;");
        lines.Add("int d0 = k0 / (p.KB * p.KC), dr = k0 - d0 * (p.KB * p.KC);");
        lines.Add("int d1 = dr / p.KC, d2 = dr - d1 * p.KC;");
        for (int j = 0; j < Tile; j++)
        {
            if (j > 0) lines.Add("d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }");
            lines.Add($"rb{j} = colValid && k0 + {j} < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;");
        }
        return Lines(indent, lines);
    }

    /// <summary>GemmTiled's stores: C = alpha·cij (+ beta·C) at the thread's owned rows and columns (see <see cref="Owned"/>).</summary>
    private static string GemmEpilogue(int indent)
    {
        var lines = new List<string>();
        for (int i = 0; i < Tile; i++) lines.Add($"int r{i} = m0 + {Owned(i, "ty", "ThreadsY")};");
        for (int j = 0; j < Tile; j++) lines.Add($"int q{j} = n0 + {Owned(j, "tx", "ThreadsX")};");
        for (int i = 0; i < Tile; i++)
            lines.Add(string.Join(" ", Enumerable.Range(0, Tile).Select(j => $"Store(c, p, cBase, r{i}, q{j}, c{i}{j});")));
        return Lines(indent, lines);
    }

    /// <summary>ConvGemm's stores: each GEMM column mapped back to its NCHW offset once, the row's bias added on the way out.</summary>
    private static string ConvEpilogue(int indent)
    {
        var lines = new List<string>();
        for (int i = 0; i < Tile; i++) lines.Add($"int r{i} = m0 + {Owned(i, "ty", "ThreadsY")};");
        for (int j = 0; j < Tile; j++) lines.Add($"int q{j} = n0 + {Owned(j, "tx", "ThreadsX")}, o{j} = OutColumn(p, q{j});");
        for (int i = 0; i < Tile; i++)
        {
            lines.Add($"float bias{i} = Bias(bias, outRows, p, r{i});");
            lines.Add(string.Join(" ", Enumerable.Range(0, Tile).Select(j => $"Store(c, p, cBase, r{i}, q{j}, o{j}, c{i}{j} + bias{i});")));
        }
        return Lines(indent, lines);
    }
}
