/* JSON export. */
#include "tui/export.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

int tui_export_json(const char *path, const char *query, const char *model, int gallery_size,
                    const tui_hit *hits, int n, char *err, size_t errn)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(root, "query", json_object_new_string(query));
    json_object_object_add(root, "model", json_object_new_string(model));
    json_object_object_add(root, "gallery_size", json_object_new_int(gallery_size));
    for (int i = 0; i < n; i++) {
        json_object *h = json_object_new_object();
        json_object_object_add(h, "rank", json_object_new_int(i + 1));
        json_object_object_add(h, "score", json_object_new_double(hits[i].score));
        json_object_object_add(h, "identity", json_object_new_int(hits[i].pid));
        json_object_object_add(h, "path", json_object_new_string(hits[i].path ? hits[i].path : ""));
        json_object_object_add(h, "image_id", json_object_new_int64(hits[i].image_id));
        json_object_array_add(arr, h);
    }
    json_object_object_add(root, "results", arr);
    int rc = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
    if (rc != 0) snprintf(err, errn, "%s: cannot write: %s", path, strerror(errno));
    json_object_put(root);
    return rc == 0 ? 0 : -1;
}
