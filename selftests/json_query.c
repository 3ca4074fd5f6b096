// SPDX-License-Identifier: GPL-2.0
/* Reading the tools' JSON in the tests (see json_query.h). */
#include "json_query.h"

json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

uint64_t ju(json_object *o, const char *key)
{
	return json_object_get_uint64(jget(o, key));
}

const char *js(json_object *o, const char *key)
{
	return json_object_get_string(jget(o, key)) ?: "";
}

json_object *jfind(json_object *arr, const char *key, uint64_t id)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if (ju(o, key) == id)
			return o;
	}
	return NULL;
}
