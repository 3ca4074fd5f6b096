/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the tools' JSON in the tests (json-c): a key's value, as a
 * number or a string, and the element of an array whose key has a value.
 */
#ifndef __JSON_QUERY_H
#define __JSON_QUERY_H

#include <stdint.h>
#include <json-c/json.h>

/* o's key, or NULL. */
json_object *jget(json_object *o, const char *key);

/* o's key as an unsigned number (0 if missing). */
uint64_t ju(json_object *o, const char *key);

/* o's key as a string ("" if missing). */
const char *js(json_object *o, const char *key);

/* The first element of arr whose key is id, or NULL. */
json_object *jfind(json_object *arr, const char *key, uint64_t id);

#endif /* __JSON_QUERY_H */
