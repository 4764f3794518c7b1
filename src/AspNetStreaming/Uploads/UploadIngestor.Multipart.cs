using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Uploads;

public sealed partial class UploadIngestor
{
    private const int MultipartReadSize = 256 * 1024;

    /// <summary>Reads a <c>multipart/form-data</c> body part by part with <see cref="MultipartReader"/>: each file
    /// part streams into its own temporary file (no <c>IFormFile</c> buffering), form fields are read into
    /// memory within <see cref="MultipartUploadOptions"/>' bounds. Nothing is visible until
    /// <see cref="MultipartUpload.Publish"/>; disposing the result removes whatever was not published.</summary>
    /// <exception cref="UploadException">The body was refused or broke off; every temporary file is already removed.</exception>
    public async Task<MultipartUpload> ReadMultipartAsync(HttpContext context, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= Options;
        if (!ReferenceEquals(options, Options))
        {
            options.Validate(); // a caller's own options, checked as the registered ones were at start
        }

        var limits = options.Multipart;
        var root = ReferenceEquals(options, Options) ? Root : ResolveRoot(options.Root);
        var request = context.Request;
        var upload = new MultipartUpload(this, options);
        long received = 0;
        System.Runtime.CompilerServices.StrongBox<long>? staging = null; // the bytes of the part a store is staging
        var acquired = false;
        var succeeded = false;
        var buffer = ArrayPool<byte>.Shared.Rent(MultipartReadSize);
        _metrics.Started();
        try
        {
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
                || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                throw new UploadException(UploadErrorKind.UnsupportedMediaType, "Expected multipart/form-data.");
            }

            var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
            {
                throw UploadException.BadRequest("The multipart boundary is missing or longer than 70 characters.");
            }

            if (request.ContentLength > limits.MaxTotalSize)
            {
                throw UploadException.TooLarge(limits.MaxTotalSize);
            }

            var body = ApplyRequestLimits(context, limits.MaxTotalSize, options);
            acquired = _slots.Wait(0);
            if (!acquired)
            {
                throw UploadException.TooManyUploads();
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            var token = cancel.Token;
            // A digest of the whole form (Content-Digest, or Repr-Digest: a form has no content coding) is checked over
            // every byte of the body, epilogue included, before anything is published.
            using var formDigests = UploadDigests.FromHeaders(request.Headers, DigestAlgorithms.None);
            var bodyStream = body.AsStream(leaveOpen: true);
            var source = formDigests.IsActive ? new ObservedReadStream(bodyStream, formDigests.Observer) : bodyStream;
            var reader = new MultipartReader(boundary, source)
            {
                HeadersLengthLimit = limits.MaxHeaderSize,
                HeadersCountLimit = 16,
                BodyLengthLimit = null,
            };
            var store = context.RequestServices?.GetService<Storage.StreamingStorage>()?.ForUploads();
            var wanted = DigestWants.Resolve(request.Headers, options.Digest); // the form's Want-Repr-Digest applies to each file
            var parts = 0;
            var fieldBytes = 0;
            while (await NextSectionAsync(reader, token).ConfigureAwait(false) is { } section)
            {
                if (++parts > limits.MaxParts)
                {
                    throw new UploadException(UploadErrorKind.TooLarge, $"The form has more than {limits.MaxParts} parts.");
                }

                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw UploadException.BadRequest("A part has no Content-Disposition: form-data header.");
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    var rawName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                    var name = UploadNames.LastSegment(rawName);
                    if (!UploadNames.IsValid(name, options.MaxNameLength, out var reason))
                    {
                        throw UploadException.BadRequest($"The file name of field '{field}' is not acceptable: {reason}.");
                    }

                    if (store is not null)
                    {
                        try
                        {
                            staging = new System.Runtime.CompilerServices.StrongBox<long>();
                            received += await StageFilePartAsync(store, upload, section, field, name, options, wanted, staging, token).ConfigureAwait(false);
                            staging = null;
                        }
                        catch (IOException error) when (IsFormCutShort(error))
                        {
                            throw FormCutShort(error);
                        }

                        continue;
                    }

                    var target = Path.Join(root, name);
                    UploadStorage.CheckPreconditions(HeaderDictionaryEmpty, target, options.Overwrite);
                    var pending = upload.Add(field, name, UploadStorage.NewTempPath(root), target);
                    using var file = UploadStorage.CreateTemp(pending.TempPath!, 0);
                    using var digests = UploadDigests.Expecting(null, null, wanted);
                    long length = 0;
                    int read;
                    while ((read = await ReadPartAsync(section.Body, buffer.AsMemory(0, MultipartReadSize), token).ConfigureAwait(false)) > 0)
                    {
                        length += read;
                        received += read;
                        if (length > limits.MaxFileSize)
                        {
                            throw new UploadException(UploadErrorKind.TooLarge,
                                $"The file in field '{field}' is larger than the limit of {limits.MaxFileSize} bytes; no file was stored.");
                        }

                        if (digests.IsActive)
                        {
                            digests.Observer(new ReadOnlySequence<byte>(buffer, 0, read));
                        }

                        await file.WriteAsync(length - read, buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    }

                    if (options.Durable)
                    {
                        file.FlushToDisk();
                    }

                    pending.Length = length;
                    digests.Verify();
                    (pending.Sha256, pending.Sha512) = (digests.Sha256, digests.Sha512);
                }
                else
                {
                    // One byte past the tighter limit is read to know it was passed; a value longer than the read
                    // buffer grows into a larger array, never past that (both limits are at most 64 MiB).
                    var limit = Math.Min(limits.MaxFieldSize, limits.MaxTotalFieldSize - fieldBytes) + 1;
                    var value = buffer;
                    var capacity = Math.Min(MultipartReadSize, limit);
                    var total = 0;
                    int read;
                    while ((read = await ReadPartAsync(section.Body, value.AsMemory(total, capacity - total), token).ConfigureAwait(false)) > 0)
                    {
                        total += read;
                        if (total > limits.MaxFieldSize)
                        {
                            throw new UploadException(UploadErrorKind.TooLarge, $"Form field '{field}' is longer than {limits.MaxFieldSize} bytes.");
                        }

                        if (fieldBytes + total > limits.MaxTotalFieldSize)
                        {
                            throw new UploadException(UploadErrorKind.TooLarge, $"The form fields together are longer than {limits.MaxTotalFieldSize} bytes.");
                        }

                        if (total == capacity)
                        {
                            capacity = (int)Math.Min(2L * capacity, limit);
                            var grown = new byte[capacity];
                            value.AsSpan(0, total).CopyTo(grown);
                            value = grown;
                        }
                    }

                    fieldBytes += total;
                    upload.AddField(field, Encoding.UTF8.GetString(value, 0, total));
                }
            }

            if (formDigests.IsActive)
            {
                // The reader stops at the closing boundary; the epilogue after it is part of what the digest covers.
                while (await source.ReadAsync(buffer.AsMemory(0, MultipartReadSize), token).ConfigureAwait(false) > 0)
                {
                }

                formDigests.Verify();
            }

            succeeded = true;
            return upload;
        }
        catch (Exception error)
        {
            await upload.DisposeAsync().ConfigureAwait(false);
            received += staging?.Value ?? 0; // how far the body got into the part being staged, for the log and the metrics
            if (error is InvalidDataException invalid)
            {
                error = UploadException.BadRequest($"The multipart body is malformed: {invalid.Message}");
            }

            throw Classify(context, error, received);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (acquired)
            {
                _slots.Release();
            }

            // A form read whole is neither stored nor failed yet: its publish counts its files (or its failure).
            _metrics.Ended(received, storedFiles: 0, failed: !succeeded);
        }
    }

    private static readonly IHeaderDictionary HeaderDictionaryEmpty = new HeaderDictionary();

    // MultipartReader reports a body that ended (as framed) before the form's closing boundary as a plain IOException;
    // a client that went away comes as one of its subclasses (ConnectionResetException, BadHttpRequestException). Only
    // the first is the form's fault: a 400, not a 500.
    private static bool IsFormCutShort(IOException error) => error.GetType() == typeof(IOException);

    private static UploadException FormCutShort(IOException error)
        => new(UploadErrorKind.BadRequest, "The multipart body is malformed: it ends before its closing boundary.", error);

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken token)
    {
        try
        {
            return await reader.ReadNextSectionAsync(token).ConfigureAwait(false);
        }
        catch (IOException error) when (IsFormCutShort(error))
        {
            throw FormCutShort(error);
        }
    }

    private static async ValueTask<int> ReadPartAsync(Stream part, Memory<byte> buffer, CancellationToken token)
    {
        try
        {
            return await part.ReadAsync(buffer, token).ConfigureAwait(false);
        }
        catch (IOException error) when (IsFormCutShort(error))
        {
            throw FormCutShort(error);
        }
    }
}
