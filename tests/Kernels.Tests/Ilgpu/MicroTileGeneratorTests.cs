namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>
/// The unrolled regions of GemmTiled and ConvGemm are exactly what <see cref="MicroTileGenerator"/>
/// writes, so regenerating them changes nothing. Run with SPARSECORE_WRITE_GENERATED=1 after
/// changing the generator: the regions are rewritten in the source tree (then rebuild and rerun
/// without it).
/// </summary>
public sealed class MicroTileGeneratorTests
{
    private static bool Write => Environment.GetEnvironmentVariable("SPARSECORE_WRITE_GENERATED") == "1";

    public static TheoryData<string> Files => new(MicroTileGenerator.All.Select(r => r.File).Distinct());

    /// <summary>The text between a region's markers, and where it starts and ends in the file.</summary>
    private static (int Start, int End) Locate(string text, string file, string name)
    {
        string start = MicroTileGenerator.StartMarker(name);
        var starts = Lines(text).Where(l => l.Text.Trim() == start).ToList();
        Assert.True(starts.Count == 1, $"{file}: expected one '{start}' line, found {starts.Count}");
        int begin = starts[0].End;
        var end = Lines(text).FirstOrDefault(l => l.Start >= begin && l.Text.Trim() == MicroTileGenerator.EndMarker);
        Assert.True(end.Text is not null, $"{file}: '{start}' has no '{MicroTileGenerator.EndMarker}' after it");
        return (begin, end.Start);
    }

    /// <summary>Each line's text (without its newline), its start offset and the offset just past its newline.</summary>
    private static IEnumerable<(string Text, int Start, int End)> Lines(string text)
    {
        for (int at = 0; at < text.Length;)
        {
            int nl = text.IndexOf('\n', at);
            int next = nl < 0 ? text.Length : nl + 1;
            yield return (text[at..(nl < 0 ? text.Length : nl)], at, next);
            at = next;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_generated_region_reads_exactly_as_the_generator_writes_it(string file)
    {
        string path = SourceTree.Combine(file.Split('/'));
        string text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var regions = MicroTileGenerator.All.Where(r => r.File == file).ToList();

        // Every marker in the file belongs to a region the generator knows, once.
        var markers = Lines(text).Select(l => l.Text.Trim()).Where(l => l.StartsWith("// generated: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(regions.Select(r => MicroTileGenerator.StartMarker(r.Name)).Order(StringComparer.Ordinal), markers.Order(StringComparer.Ordinal));

        // Later regions first, so rewriting one leaves the offsets of the earlier ones valid.
        var located = regions.Select(r => (Region: r, Span: Locate(text, file, r.Name))).OrderByDescending(x => x.Span.Start).ToList();
        var stale = located.Where(x => text[x.Span.Start..x.Span.End] != x.Region.Text).Select(x => x.Region.Name).ToList();
        if (Write && stale.Count > 0)
        {
            foreach (var (region, (start, end)) in located)
                text = text[..start] + region.Text + text[end..];
            File.WriteAllText(path, text);
            return;
        }
        Assert.True(stale.Count == 0,
            $"{file}: regions differ from MicroTileGenerator ({string.Join(", ", stale)}); " +
            "edit the generator rather than the kernel, then run these tests with SPARSECORE_WRITE_GENERATED=1");
    }

    [Fact]
    public void The_generator_writes_the_full_micro_tile()
    {
        // A guard on the generator itself: 64 accumulators, 4 Float4 shared loads (16 operands) and 64 multiply-adds per k step.
        var step = MicroTileGenerator.All.First(r => r.Name == "micro-tile k step").Text;
        Assert.Equal(4, step.Split("s4[").Length - 1);
        Assert.Equal(16, step.Split(".X").Length - 1 + step.Split(".Y").Length - 1 + step.Split(".Z").Length - 1 + step.Split(".W").Length - 1);
        Assert.Equal(64, step.Split(" += ").Length - 1);
        var accumulators = MicroTileGenerator.All.First(r => r.Name == "accumulators").Text;
        Assert.Equal(64, accumulators.Split(" = 0f").Length - 1);
    }
}
