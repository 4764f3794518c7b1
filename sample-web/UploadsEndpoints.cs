using AspNetStreaming.Uploads;

/// <summary>The sample app's upload endpoints, all storing into <c>Streaming:Uploads:Root</c>.</summary>
internal static class UploadsEndpoints
{
    /// <summary>PUT /uploads/{name} (raw body), POST /uploads (multipart/form-data), resumable uploads under
    /// /uploads/resumable (the IETF draft: POST /uploads/resumable/{name} creates, HEAD/PATCH/DELETE
    /// /uploads/resumable/{id}) and /uploads/tus (tus 1.0: POST creates, HEAD/PATCH/DELETE /uploads/tus/{id}).</summary>
    public static WebApplication MapUploadsEndpoints(this WebApplication app)
    {
        app.MapUpload("/uploads");
        app.MapMultipartUpload("/uploads");
        app.MapResumableUploads("/uploads/resumable");
        app.MapTusUploads("/uploads/tus");
        return app;
    }
}
